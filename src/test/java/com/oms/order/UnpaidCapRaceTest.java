package com.oms.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.support.SqlStatements;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cap on unpaid orders holds when two placements of one customer are written in concurrent transactions. */
class UnpaidCapRaceTest extends IntegrationTest {

  private static final String INSERT = SqlStatements.load("sql/orders.sql").get("insert-order");

  @Test
  @DisplayName("two transactions placing for one customer at a cap of one: the second waits for the first and is refused")
  void concurrentPlacementsCannotPassTheCap(Vertx vertx) {
    String customer = unique("racer");
    SqlConnection first = app.app.pool().getConnection().await();
    SqlConnection second = app.app.pool().getConnection().await();
    try {
      Transaction firstTx = first.begin().await();
      Row placed = first.preparedQuery(INSERT).execute(params(customer)).await().iterator().next();
      assertThat(placed.getUUID("order_id")).as("the first placement, not yet committed").isNotNull();

      // a second member's group, while the first has not committed: it must not count from a snapshot
      // without the first order
      int secondPid = second.query("SELECT pg_backend_pid() AS pid").execute().await().iterator().next().getInteger("pid");
      Transaction secondTx = second.begin().await();
      Future<RowSet<Row>> racing = second.preparedQuery(INSERT).execute(params(customer));
      // the first commits only once the second has its answer or waits for a lock, so the second's statement
      // has begun while the first order was uncommitted
      Poll.until(vertx, () -> racing.isComplete() ? Future.succeededFuture(true) : app.app.pool()
          .preparedQuery("SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1")
          .execute(Tuple.of(secondPid)).map(rows -> rows.iterator().next().getBoolean("waiting")),
        Boolean.TRUE::equals, Duration.ofSeconds(10), "the second placement to answer or to wait for a lock").await();
      firstTx.commit().await();
      Row refused = racing.await().iterator().next();
      secondTx.commit().await();

      assertThat(refused.getUUID("order_id")).as("the second placement is refused by the cap").isNull();
      assertThat(refused.getLong("unpaid")).isEqualTo(1);
      long unpaid = app.app.pool().preparedQuery(
          "SELECT count(*) AS n FROM orders WHERE customer_id = $1 AND status IN ('CREATED', 'PAYMENT_PENDING')")
        .execute(Tuple.of(customer)).await().iterator().next().getLong("n");
      assertThat(unpaid).isEqualTo(1);
    } finally {
      first.close().await();
      second.close().await();
    }
  }

  private static Tuple params(String customer) {
    OrderStore.NewOrder order = new OrderStore.NewOrder(UUID.randomUUID(), customer, "store-race", "INR", 1000,
      new JsonArray().add(new JsonObject().put("sku", "a").put("quantity", 1).put("unitAmount", 1000)),
      new JsonObject().put("method", "UPI").put("status", "PENDING"), new JsonObject().put("vpa", "race@upi"),
      new JsonObject().put("address", "1 Race Street"), new JsonObject().put("email", "race@example.com"), null,
      "hash", "customer:" + customer);
    return OrderStore.insertParams(order, 1, OffsetDateTime.now(ZoneOffset.UTC));
  }
}
