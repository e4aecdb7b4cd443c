package com.oms.failure;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Addresses;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExpiryConcurrencyTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    // scans are driven by the test; the wait for a partner is never given up
    config.getJsonObject("order").put("expiryScanInterval", "PT1H");
    config.getJsonObject("delivery").put("giveUpAfter", "PT100H");
  }

  /** One scan as the expiry scanner runs it: batches until one comes back short. */
  private Future<Integer> scan(int batchSize) {
    return app.vertx.eventBus().<JsonObject>request(Addresses.ORDER_EXPIRE_DUE, new JsonObject().put("batchSize", batchSize))
      .compose(reply -> reply.body().getBoolean("more")
        ? scan(batchSize).map(n -> n + reply.body().getInteger("expired"))
        : Future.succeededFuture(reply.body().getInteger("expired")));
  }

  @Test
  @DisplayName("two scanners over the same expired orders: each order is cancelled and refunded exactly once")
  void twoScanners() {
    String store = unique("store");
    api.store(store, -60.0, 10.0).await();
    api.stock(store, "a", 1000, 500).await();
    List<Future<HttpResponse<Buffer>>> placed = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      placed.add(api.place(api.customerToken(unique("cust")), cardOrder(store, "tok_visa", items("a", 1))));
    }
    Future.all(placed).await();
    Poll.until(app.vertx, () -> app.app.pool().preparedQuery(
        "SELECT count(*) AS n FROM orders WHERE store_id = $1 AND status = 'INVENTORY_RESERVED'")
      .execute(io.vertx.sqlclient.Tuple.of(store)).map(rows -> rows.iterator().next().getLong("n")),
      n -> n == 120, DEADLINE, "all paid").await();
    long refundsBefore = app.app.gatewaySimulator().refundsMade();

    app.clock.advance(Duration.ofHours(49));
    List<Future<Integer>> scanners = List.of(scan(7), scan(11));
    Future.all(scanners).await();

    assertThat(scanners.get(0).result() + scanners.get(1).result()).isEqualTo(120);
    Row counts = app.app.pool().preparedQuery("""
        SELECT count(*) FILTER (WHERE e.to_status = 'CANCELLED') AS cancellations,
               count(DISTINCT e.order_id) FILTER (WHERE e.to_status = 'CANCELLED') AS orders
          FROM order_events e JOIN orders o ON o.order_id = e.order_id
         WHERE o.store_id = $1
        """).execute(io.vertx.sqlclient.Tuple.of(store)).await().iterator().next();
    assertThat(counts.getLong("cancellations")).isEqualTo(120);
    assertThat(counts.getLong("orders")).isEqualTo(120);
    Poll.until(app.vertx, () -> Future.succeededFuture(app.app.gatewaySimulator().refundsMade() - refundsBefore),
      n -> n == 120, DEADLINE, "120 refunds").await();
    JsonObject level = api.stockLevel(store, "a").await();
    // seen once in a full suite (2026-12-07): 1001, not reproduced in 10 runs alone; name both stores' figures
    String holds = app.app.pool().preparedQuery("""
        SELECT string_agg(state || ' ' || n, ', ') AS holds
          FROM (SELECT state, count(*) AS n FROM stock_holds WHERE store_id = $1 GROUP BY state) s
        """).execute(io.vertx.sqlclient.Tuple.of(store)).await().iterator().next().getString("holds");
    assertThat(level.getInteger("available")).as("Redis %s; Postgres holds by state: %s", level.encode(), holds)
      .isEqualTo(1000);
  }
}
