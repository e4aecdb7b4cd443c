package com.oms.order;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** An order that ends while the saga is finding its partner does not keep that partner. */
class EndedWhileAssigningTest extends IntegrationTest {

  @Test
  @DisplayName("cancelled while its partner was being assigned: the assignment's write finds it ended and frees the partner")
  void partnerFreed(Vertx vertx) {
    String store = unique("store");
    api.store(store, 21.0, 78.0).await();
    api.stock(store, "a", 10, 500).await();
    String partner = unique("rider");
    api.partner(partner, 21.001, 78.0).await();
    // a pickup two hours ahead: the saga reserves the stock and waits for the lead time before assigning
    String token = api.customerToken(unique("cust"));
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    body.getJsonObject("delivery").put("pickupAt", app.clock.instant().plus(Duration.ofHours(2)).toString());
    String orderId = expect(api.place(token, body), 201).await().getString("orderId");
    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("INVENTORY_RESERVED"),
      DEADLINE, "reservation").await();

    // a saga step holds the order as read now; meanwhile the customer cancels and compensation runs
    Promise<OrderSaga> made = Promise.promise();
    vertx.runOnContext(v -> {
      OrderStore store2 = new OrderStore(vertx, app.app.pool(), app.app.writes(), app.clock);
      made.complete(new OrderSaga(vertx, store2, new OrderMetrics(new SimpleMeterRegistry()),
        app.config.bus().requestTimeout(), app.config.delivery()));
    });
    OrderSaga saga = made.future().await();
    Order asRead = saga.load(orderId).await();
    expect(api.post("/v1/orders/" + orderId + "/cancel", token, new JsonObject().put("reason", "changed my mind")), 200).await();

    // the lead time comes, and the step carries on from what it read: it finds a partner and writes the move
    app.clock.advance(Duration.ofMinutes(95));
    Promise<Order> advanced = Promise.promise();
    vertx.runOnContext(v -> saga.advance(asRead).onComplete(advanced));
    assertThat(advanced.future().await().status()).isEqualTo(OrderStatus.CANCELLED);

    Row delivery = app.app.pool().preparedQuery("SELECT partner_id, status FROM deliveries WHERE order_id = $1")
      .execute(Tuple.of(UUID.fromString(orderId))).await().iterator().next();
    assertThat(delivery.getString("partner_id")).as("the step did assign the partner").isEqualTo(partner);
    assertThat(delivery.getString("status")).isEqualTo("CANCELLED");
    Integer active = app.app.pool().preparedQuery("SELECT active_deliveries FROM partners WHERE partner_id = $1")
      .execute(Tuple.of(partner)).await().iterator().next().getInteger("active_deliveries");
    assertThat(active).as("the partner is free again").isZero();
  }
}
