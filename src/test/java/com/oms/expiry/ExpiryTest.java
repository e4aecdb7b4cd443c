package com.oms.expiry;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Addresses;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * No partner is registered in this service, and the wait for one is not given up, so paid orders wait in
 * INVENTORY_RESERVED until they expire.
 */
class ExpiryTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("delivery").put("giveUpAfter", "PT100H");
  }

  @Test
  @DisplayName("48 hours after creation an unfinished order is cancelled: stock released, payment refunded, customer told")
  void expiresAfter48Hours() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 5, 2500).await();
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 2))), 201).await().getString("orderId");
    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("INVENTORY_RESERVED"),
      DEADLINE, "reservation").await();
    long refundsBefore = app.app.gatewaySimulator().refundsMade();

    app.clock.advance(Duration.ofHours(47));
    // a scan of our own, on top of the periodic ones: at 47 hours it must find nothing to cancel
    JsonObject scan = app.vertx.eventBus().<JsonObject>request(Addresses.ORDER_EXPIRE_DUE,
      new JsonObject().put("batchSize", 100)).await().body();
    assertThat(scan.getInteger("expired")).isZero();
    assertThat(api.order(orderId, token).await().getString("status")).isEqualTo("INVENTORY_RESERVED");

    app.clock.advance(Duration.ofHours(1).plusSeconds(1));
    JsonObject cancelled = Poll.until(app.vertx, () -> api.order(orderId, token),
      o -> o.getString("status").equals("CANCELLED") && o.getJsonObject("payment").getString("status").equals("REFUNDED"),
      DEADLINE, "expiry").await();

    assertThat(cancelled.getString("failureReason")).isEqualTo("expired: not completed within 48 hours");
    assertThat(app.app.gatewaySimulator().refundsMade()).isEqualTo(refundsBefore + 1);
    JsonObject stock = api.stockLevel(store, "a").await();
    assertThat(stock.getInteger("reserved")).isZero();
    assertThat(stock.getInteger("available")).isEqualTo(5);
    JsonObject events = expect(api.get("/v1/orders/" + orderId + "/events", token), 200).await();
    JsonObject last = events.getJsonArray("events").getJsonObject(events.getJsonArray("events").size() - 1);
    assertThat(last.getString("to")).isEqualTo("CANCELLED");
    assertThat(last.getString("actor")).isEqualTo("system:expiry");
    Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + orderId + "/notifications", token), 200),
      n -> n.getJsonArray("notifications").stream().anyMatch(x -> ((JsonObject) x).getString("event").equals("ORDER_CANCELLED")),
      DEADLINE, "the cancellation notice").await();
  }
}
