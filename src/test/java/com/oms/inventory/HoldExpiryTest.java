package com.oms.inventory;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gateway never answers tok_timeout, so these orders stay unpaid until their hold expires. */
class HoldExpiryTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("payment").put("gatewayTimeout", "PT0.3S");
  }

  @Test
  @DisplayName("an unpaid order's hold expires with the payment window: stock released, order cancelled")
  void holdExpires() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 4, 100).await();
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, cardOrder(store, "tok_timeout", items("a", 3))), 201).await().getString("orderId");
    assertThat(api.stockLevel(store, "a").await().getInteger("held")).isEqualTo(3);

    app.clock.advance(app.config.order().paymentWindow().plusSeconds(1));

    JsonObject cancelled = Poll.until(app.vertx, () -> api.order(orderId, token),
      o -> o.getString("status").equals("CANCELLED"), DEADLINE, "the hold to expire").await();
    assertThat(cancelled.getString("failureReason")).isEqualTo("payment window elapsed: not paid within 15 minutes");
    Poll.until(app.vertx, () -> api.stockLevel(store, "a"), s -> s.getInteger("held") == 0, DEADLINE, "release").await();
    // once (CI, 2026-12-07) Redis showed held 3 here right after the poll saw 0; what the two stores
    // then say of this hold is in the message, to tell the next such failure apart
    String holdKey = new InventoryKeys(app.config.redis().keyPrefix()).hold(store, orderId);
    String holdInRedis = String.valueOf(app.app.redis().send(Request.cmd(Command.HGETALL).arg(holdKey)).await());
    String holdInLedger = app.app.pool().preparedQuery("SELECT state, updated_at FROM stock_holds WHERE order_id = $1")
      .execute(Tuple.of(java.util.UUID.fromString(orderId))).await().iterator().next().toJson().encode();
    assertThat(StockFigures.inRedis(app, store, "a").await())
      .as("hold in Redis " + holdInRedis + ", in the ledger " + holdInLedger)
      .isEqualTo(new StockFigures(4, 0, 0));
    assertThat(StockFigures.inPostgres(app, store, "a").await()).isEqualTo(new StockFigures(4, 0, 0));
  }
}
