package com.oms.notification;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.dev.MessagingSimulatorVerticle;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cap on first attempts in flight per channel is a setting of its own, apart from the batch size: with
 * batches of one event, a slow provider still gets up to the cap at once, and never more than the cap plus
 * the one notification its channel's own pass claims.
 */
class NotificationSendsInFlightTest extends IntegrationTest {

  private static final int CAP = 3;
  private static final int ORDERS = 5;

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("notification").put("relayBatchSize", 1).put("maxSendsInFlight", CAP)
      .put("providerTimeout", "PT30S");
  }

  @Test
  @DisplayName("a slow provider gets the cap's worth of first attempts at once, not one batch's, and every notification is sent")
  void firstAttemptsUpToTheCap() {
    MessagingSimulatorVerticle messaging = app.app.messagingSimulator();
    messaging.latency(2000);
    String store = unique("store");
    api.store(store, 32.0, 72.0).await();
    api.stock(store, "a", 10, 2500).await();
    List<Future<JsonObject>> placed = new ArrayList<>();
    for (int i = 0; i < ORDERS; i++) {
      JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
      body.put("contact", new JsonObject().put("phone", "+91980000002" + i).put("channels", new JsonArray().add("SMS")));
      placed.add(expect(api.place(api.customerToken(unique("cust")), body), 201));
    }
    UUID[] orders = Future.all(placed).await().<JsonObject>list().stream()
      .map(order -> UUID.fromString(order.getString("orderId"))).toArray(UUID[]::new);

    Poll.until(app.vertx, () -> Future.succeededFuture(messaging.mostInProgress()), most -> most >= CAP, DEADLINE,
      CAP + " SMS at the provider at once").await();
    Poll.until(app.vertx, () -> app.app.pool().preparedQuery(
          "SELECT status, attempts FROM notifications WHERE order_id = ANY($1) AND event_type = 'ORDER_CONFIRMED'")
        .execute(Tuple.of(orders)).map(rows -> {
          int sent = 0;
          for (Row row : rows) {
            sent += row.getString("status").equals("SENT") && row.getInteger("attempts") == 1 ? 1 : 0;
          }
          return sent;
        }),
      sent -> sent == ORDERS, DEADLINE, ORDERS + " confirmations sent, each on one attempt").await();
    assertThat(messaging.mostInProgress()).isLessThanOrEqualTo(CAP + 1);
  }
}
