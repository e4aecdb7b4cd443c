package com.oms.dev;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The simulated partners send a report again when the service could not take it for the moment. */
class PartnerSimulatorRetryTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.put("simulation", new JsonObject().put("partners", true).put("partnerPrefix", "sim-")
      .put("pickupAfter", "PT0.05S").put("deliverAfter", "PT0.05S"));
    config.getJsonObject("bus").put("requestTimeout", "PT1S");
  }

  @Test
  @DisplayName("a pickup report whose step did not finish in time (503) is sent again, and the order is delivered")
  void transientFailureIsReportedAgain() {
    String store = unique("store");
    String token = api.customerToken(unique("cust"));
    api.store(store, 12.9716, 77.5946).await();
    api.stock(store, "vada", 10, 4000).await();
    api.partner(unique("sim-rider"), 12.972, 77.595).await();

    // the pickup takes the stock off the shelf under the SKU's row lock: while this transaction holds it,
    // the pickup's step cannot finish within the bus timeout and the report is answered 503
    SqlConnection blocker = app.app.pool().getConnection().await();
    blocker.query("BEGIN").execute().await();
    blocker.preparedQuery("SELECT 1 FROM stock_items WHERE store_id = $1 AND sku = $2 FOR UPDATE")
      .execute(Tuple.of(store, "vada")).await();
    String orderId = expect(api.place(token, cardOrder(store, "tok_visa", items("vada", 1))), 201).await().getString("orderId");
    Poll.until(app.vertx, () -> app.app.pool().query("SELECT count(*) AS n FROM pg_stat_activity"
          + " WHERE wait_event_type = 'Lock' AND query LIKE 'WITH deducted AS%' AND now() - query_start > interval '2 seconds'")
        .execute().map(rows -> rows.iterator().next().getLong("n")),
      n -> n > 0, Duration.ofSeconds(20), "the deduction to wait past the bus timeout").await();
    assertThat(api.order(orderId, token).await().getString("status")).isEqualTo("DELIVERY_PARTNER_ASSIGNED");
    blocker.query("ROLLBACK").execute().await();
    blocker.close().await();

    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("DELIVERED"),
      Duration.ofSeconds(30), "the simulated partner to report again and deliver").await();
    JsonArray events = expect(api.get("/v1/orders/" + orderId + "/events", token), 200).await().getJsonArray("events");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("to")).filter("PICKED_UP"::equals).count())
      .as("picked up once, however often reported").isEqualTo(1);
    assertThat(api.stockLevel(store, "vada").await().getInteger("onHand")).as("deducted once").isEqualTo(9);
  }
}
