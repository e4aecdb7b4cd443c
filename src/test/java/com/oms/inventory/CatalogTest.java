package com.oms.inventory;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Quotes come from memory once a store was read, and never outlive a change made through the API. */
class CatalogTest extends IntegrationTest {

  private long placedTotal(String store, String sku) {
    JsonObject order = expect(api.place(api.customerToken(unique("cust")), cardOrder(store, "tok_visa", items(sku, 1))), 201)
      .await();
    return order.getJsonObject("total").getLong("amount");
  }

  @Test
  @DisplayName("an admin's new price applies to the very next order")
  void priceChangeAppliesAtOnce() {
    String store = unique("store");
    api.store(store, 22.0, 79.0).await();
    api.stock(store, "a", 100, 500).await();
    assertThat(placedTotal(store, "a")).isEqualTo(500);

    api.stock(store, "a", 100, 700).await();
    assertThat(placedTotal(store, "a")).isEqualTo(700);
  }

  @Test
  @DisplayName("a price written behind the service's back is quoted from memory until the catalog's 10 s are up")
  void quotedFromMemoryForAtMostTenSeconds() {
    String store = unique("store");
    api.store(store, 22.5, 79.0).await();
    api.stock(store, "a", 100, 500).await();
    assertThat(placedTotal(store, "a")).isEqualTo(500);

    // not through the API, so nobody tells the catalog: only its age limit makes it read the store again
    app.app.pool().preparedQuery("UPDATE stock_items SET price_amount = 900 WHERE store_id = $1 AND sku = 'a'")
      .execute(Tuple.of(store)).await();
    assertThat(placedTotal(store, "a")).as("from memory").isEqualTo(500);

    app.clock.advance(Duration.ofSeconds(11));
    assertThat(placedTotal(store, "a")).as("read again").isEqualTo(900);
  }
}
