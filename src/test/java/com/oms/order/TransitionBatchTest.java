package com.oms.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Transitions written in batches (group commit) keep every guarantee of one statement per transition. */
class TransitionBatchTest extends IntegrationTest {

  @Test
  @DisplayName("many concurrent transitions: each applied once with its history and outbox rows, a stale one refused, nothing else touched")
  void concurrentTransitions(Vertx vertx) {
    // the store is made on an event loop, as the order verticle makes it, and driven from there
    OrderStore store = onEventLoop(vertx);
    List<Order> created = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      created.add(store.insert(newOrder(), Integer.MAX_VALUE, Duration.ofMinutes(15), Duration.ofHours(24)).await().order());
    }
    OrderStore writer = store;
    List<Future<Order>> moves = new ArrayList<>();
    io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> {
      for (int i = 0; i < created.size(); i++) {
        Order order = created.get(i);
        // every third order is also told something, with a payment summary on every fifth
        JsonObject payment = i % 5 == 0 ? new JsonObject().put("method", "CREDIT_CARD").put("status", "SUCCEEDED") : null;
        String notice = i % 3 == 0 ? "ORDER_CONFIRMED" : null;
        moves.add(writer.transition(order, new Transition(OrderStatus.PAYMENT_PENDING, "stock held", "system:test", null, null,
          payment, false, notice, null, null)));
      }
      // the first order once more, from the same (now stale) read
      moves.add(writer.transition(created.get(0), Transition.to(OrderStatus.PAYMENT_PENDING, "again", "system:test")));
      started.complete();
    });
    started.future().await();
    Future.join(new ArrayList<>(moves)).otherwiseEmpty().await();

    long applied = moves.stream().filter(Future::succeeded).count();
    assertThat(applied).isEqualTo(60);
    assertThat(moves.get(60).failed()).isTrue();
    assertThat(moves.get(60).cause()).isInstanceOf(OrderStore.StaleOrderException.class);
    for (int i = 0; i < 60; i++) {
      Order moved = moves.get(i).result();
      assertThat(moved.status()).isEqualTo(OrderStatus.PAYMENT_PENDING);
      assertThat(moved.version()).isEqualTo(2);
      assertThat(moved.payment()).as("payment of order %d", i).isEqualTo(i % 5 == 0
        ? new JsonObject().put("method", "CREDIT_CARD").put("status", "SUCCEEDED")
        : created.get(i).payment());
    }
    UUID[] ids = created.stream().map(Order::orderId).toArray(UUID[]::new);
    Row counts = app.app.pool().preparedQuery("""
        SELECT (SELECT count(*) FROM order_events WHERE order_id = ANY($1) AND seq = 2 AND to_status = 'PAYMENT_PENDING') AS events,
               (SELECT count(*) FROM outbox WHERE order_id = ANY($1)) AS notices,
               (SELECT count(*) FROM outbox WHERE order_id = ANY($1) AND payload IS NULL) AS empty_notices
        """).execute(Tuple.of(ids)).await().iterator().next();
    assertThat(counts.getLong("events")).isEqualTo(60);
    assertThat(counts.getLong("notices")).isEqualTo(20);
    assertThat(counts.getLong("empty_notices")).isZero();
  }

  private OrderStore onEventLoop(Vertx vertx) {
    io.vertx.core.Promise<OrderStore> made = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> made.complete(new OrderStore(vertx, app.app.pool(), app.app.writes(), app.clock)));
    return made.future().await();
  }

  private static OrderStore.NewOrder newOrder() {
    return new OrderStore.NewOrder(UUID.randomUUID(), "cust-batch", "store-batch", "INR", 1000,
      new JsonArray().add(new JsonObject().put("sku", "a").put("quantity", 1).put("unitAmount", 1000)),
      new JsonObject().put("method", "CREDIT_CARD").put("status", "PENDING"), new JsonObject().put("token", "tok_visa"),
      new JsonObject().put("address", "1 Test Street"), new JsonObject().put("email", "b@example.com"), null, "hash", "customer:cust-batch");
  }
}
