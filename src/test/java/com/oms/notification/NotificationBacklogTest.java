package com.oms.notification;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A backlog drains as fast as the providers take it, not one batch per relay interval. */
class NotificationBacklogTest extends IntegrationTest {

  private static final Duration INTERVAL = Duration.ofSeconds(6);

  @Override
  protected void configure(JsonObject config) {
    // one notification per batch and a long interval: at one batch per interval, 4 orders x 3 channels
    // would take 4 intervals in the outbox and 4 more per channel
    config.getJsonObject("notification").put("relayBatchSize", 1).put("relayInterval", "PT" + INTERVAL.toSeconds() + "S");
  }

  @Test
  @DisplayName("with batches of one, every notice of four orders is sent within two relay intervals")
  void backlogDrainsInOnePass() {
    String store = unique("store");
    api.store(store, 31.0, 71.0).await();
    api.stock(store, "a", 10, 2500).await();
    List<UUID> orders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
      body.put("contact", new JsonObject().put("email", unique("buyer") + "@example.com").put("phone", "+919800000010"));
      orders.add(UUID.fromString(expect(api.place(api.customerToken(unique("cust")), body), 201).await().getString("orderId")));
    }
    Poll.until(app.vertx, () -> app.app.pool().preparedQuery(
          "SELECT count(*) AS n FROM outbox WHERE order_id = ANY($1) AND event_type = 'ORDER_CONFIRMED'")
        .execute(Tuple.of(orders.toArray(UUID[]::new))).map(rows -> rows.iterator().next().getLong("n")),
      n -> n == 4, DEADLINE, "four confirmations in the outbox").await();
    long written = System.nanoTime();

    Poll.until(app.vertx, () -> app.app.pool().preparedQuery(
          "SELECT count(*) AS n FROM notifications WHERE order_id = ANY($1) AND event_type = 'ORDER_CONFIRMED' AND status = 'SENT'")
        .execute(Tuple.of(orders.toArray(UUID[]::new))).map(rows -> rows.iterator().next().getLong("n")),
      n -> n == 12, INTERVAL.multipliedBy(2).plusSeconds(1), "twelve confirmations sent").await();
    assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(INTERVAL.multipliedBy(2).plusSeconds(1));
  }
}
