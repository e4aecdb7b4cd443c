package com.oms.http;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimitTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("http").put("rateLimit", new JsonObject().put("enabled", true)
      .put("defaults", new JsonObject().put("perSecond", 1).put("burst", 3))
      .put("operations", new JsonObject().put("placeOrder", new JsonObject().put("perSecond", 0.5).put("burst", 2))));
  }

  @Test
  @DisplayName("an anonymous client gets its burst, then 429 with Retry-After; the bucket refills as the clock moves")
  void anonymousBucket() {
    for (int i = 0; i < 3; i++) {
      assertThat(api.get("/v1/order-states", null).await().statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> limited = api.get("/v1/order-states", null).await();
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.getHeader("Retry-After")).isEqualTo("1");
    assertThat(limited.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(limited.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:rate-limited");

    app.clock.advance(Duration.ofSeconds(1));
    assertThat(api.get("/v1/order-states", null).await().statusCode()).as("one token back after 1 s").isEqualTo(200);
    assertThat(api.get("/v1/order-states", null).await().statusCode()).isEqualTo(429);
  }

  @Test
  @DisplayName("each customer has its own placement bucket; a limited placement changes nothing; admins are not limited")
  void perCustomerPlacement() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 100, 100).await();
    for (int i = 0; i < 10; i++) { // admins are exempt: ten stock settings in a row pass
      api.stock(store, "s" + i, 1, 100).await();
    }
    String alice = api.customerToken(unique("alice"));
    String bob = api.customerToken(unique("bob"));

    expect(api.place(alice, cardOrder(store, "tok_visa", items("a", 1))), 201).await();
    expect(api.place(alice, cardOrder(store, "tok_visa", items("a", 1))), 201).await();
    HttpResponse<Buffer> third = api.place(alice, cardOrder(store, "tok_visa", items("a", 1))).await();
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.getHeader("Retry-After")).isEqualTo("2");
    expect(api.place(bob, cardOrder(store, "tok_visa", items("a", 1))), 201).await();

    JsonObject stock = api.stockLevel(store, "a").await();
    assertThat(stock.getInteger("available")).as("three orders hold stock, the refused one none").isEqualTo(97);
    assertThat(expect(api.get("/v1/orders", alice), 200).await().getJsonArray("orders")).hasSize(2);
  }
}
