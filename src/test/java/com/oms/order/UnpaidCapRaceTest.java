package com.oms.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.support.GroupCommit;
import com.oms.support.SqlStatements;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cap on unpaid orders holds when two placements of one customer are written in concurrent transactions,
 * and the per-customer lock that makes it hold cannot leave a placement unanswered when two groups deadlock.
 */
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

  @Test
  @DisplayName("an order and its hold's claim are one statement: both written when placed, neither when the cap refuses")
  void holdClaimedWithTheOrder() {
    String customer = unique("claimer");
    Tuple accepted = params(customer, 1);
    Tuple refused = params(customer, 1);

    assertThat(app.app.pool().preparedQuery(INSERT).execute(accepted).await().iterator().next().getUUID("order_id"))
      .isEqualTo(accepted.getUUID(0));
    assertThat(app.app.pool().preparedQuery(INSERT).execute(refused).await().iterator().next().getUUID("order_id"))
      .as("over the cap").isNull();

    Row claim = app.app.pool().preparedQuery(
        "SELECT store_id, lines, state, extract(epoch FROM expires_at - created_at)::bigint AS lapse FROM stock_holds"
          + " WHERE order_id = $1")
      .execute(Tuple.of(accepted.getUUID(0))).await().iterator().next();
    assertThat(claim.getString("state")).isEqualTo("HELD");
    assertThat(claim.getString("store_id")).isEqualTo("store-race");
    assertThat(claim.getJsonArray("lines")).isEqualTo(new JsonArray().add(new JsonObject().put("sku", "a").put("quantity", 1)));
    assertThat(claim.getLong("lapse")).as("the hold lapses with the payment window given").isEqualTo(900);
    long refusedRows = app.app.pool().preparedQuery(
        "SELECT (SELECT count(*) FROM orders WHERE order_id = $1) + (SELECT count(*) FROM stock_holds WHERE order_id = $1) AS n")
      .execute(Tuple.of(refused.getUUID(0))).await().iterator().next().getLong("n");
    assertThat(refusedRows).as("a refused order leaves no claim behind").isZero();
  }

  @Test
  @DisplayName("two members' groups locking two customers in opposite order: Postgres aborts one, which is rewritten one statement at a time, and every placement is stored")
  void oppositeLockOrderAcrossGroups(Vertx vertx) {
    String x = unique("left");
    String y = unique("right");
    // two members' group commits; in each, the customers' locks are taken a moment apart, in opposite order
    List<Future<RowSet<Row>>> first = submitAsOneGroup(vertx, x, y);
    List<Future<RowSet<Row>>> second = submitAsOneGroup(vertx, y, x);
    Future.join(new ArrayList<Future<?>>(first)).otherwiseEmpty().await();
    Future.join(new ArrayList<Future<?>>(second)).otherwiseEmpty().await();

    for (Future<RowSet<Row>> answer : List.of(first.get(1), first.get(3), second.get(1), second.get(3))) {
      assertThat(answer.succeeded()).as("every placement answered, none failed").isTrue();
      assertThat(answer.result().iterator().next().getUUID("order_id")).as("every placement stored").isNotNull();
    }
    // the statements of a group share one transaction; a group written again one by one has one each
    boolean firstTogether = txid(first.get(2)) == txid(first.get(4));
    boolean secondTogether = txid(second.get(2)) == txid(second.get(4));
    assertThat(List.of(firstTogether, secondTogether)).as("one group committed whole, the deadlocked one rewritten")
      .containsExactlyInAnyOrder(true, false);
    long stored = app.app.pool().preparedQuery("SELECT count(*) AS n FROM orders WHERE customer_id = ANY($1)")
      .execute(Tuple.of(new String[] {x, y})).await().iterator().next().getLong("n");
    assertThat(stored).isEqualTo(4);
  }

  /**
   * A group commit of its own (another member's), given: a statement that goes alone, then one group of
   * placement for {@code lockedFirst}, a pause with the transaction's id, placement for {@code lockedSecond},
   * and the transaction's id again.
   */
  private List<Future<RowSet<Row>>> submitAsOneGroup(Vertx vertx, String lockedFirst, String lockedSecond) {
    Promise<List<Future<RowSet<Row>>>> submitted = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      GroupCommit member = new GroupCommit(vertx, app.app.pool(), 16, 1, 1, new SimpleMeterRegistry(), "member");
      submitted.complete(List.of(
        member.execute("SELECT 1", Tuple.tuple()),
        member.execute(INSERT, params(lockedFirst, 5)),
        member.execute("SELECT txid_current() AS tx, pg_sleep(0.3)", Tuple.tuple()),
        member.execute(INSERT, params(lockedSecond, 5)),
        member.execute("SELECT txid_current() AS tx", Tuple.tuple())));
    });
    return submitted.future().await();
  }

  private static long txid(Future<RowSet<Row>> answer) {
    return answer.result().iterator().next().getLong("tx");
  }

  @Test
  @DisplayName("the cap counts a customer's unpaid orders without reading the orders they finished long ago")
  void capReadsOnlyUnpaidOrders() {
    String customer = unique("regular");
    SqlConnection conn = app.app.pool().getConnection().await();
    try {
      Transaction tx = conn.begin().await();
      // 300 orders delivered long ago
      conn.preparedQuery("""
          INSERT INTO orders (order_id, customer_id, store_id, status, version, currency, total_amount, items, payment,
                              payment_instrument, delivery, contact, created_at, updated_at)
          SELECT gen_random_uuid(), $1, 'store-race', 'DELIVERED', 7, 'INR', 1000, '[]', '{}', '{}', '{}', '{}',
                 now() - make_interval(days => n), now() - make_interval(days => n)
            FROM generate_series(1, 300) AS n""").execute(Tuple.of(customer)).await();
      long before = historyRead(conn);
      Row placed = conn.preparedQuery(INSERT).execute(params(customer, 5)).await().iterator().next();
      long read = historyRead(conn) - before;
      tx.rollback().await();

      assertThat(placed.getLong("unpaid")).isZero();
      // without the unpaid orders' own index (migration V13) the count read all 300
      assertThat(read).as("orders of the customer's history read to place one").isZero();
    } finally {
      conn.close().await();
    }
  }

  /** Entries of a customer's orders read so far in this transaction by scans of every order of theirs. */
  private static long historyRead(SqlConnection conn) {
    return conn.query("SELECT pg_stat_get_xact_tuples_returned('orders_by_customer'::regclass) AS n")
      .execute().await().iterator().next().getLong("n");
  }

  private static Tuple params(String customer) {
    return params(customer, 1);
  }

  private static Tuple params(String customer, int maxUnpaid) {
    OrderStore.NewOrder order = new OrderStore.NewOrder(UUID.randomUUID(), customer, "store-race", "INR", 1000,
      new JsonArray().add(new JsonObject().put("sku", "a").put("quantity", 1).put("unitAmount", 1000)),
      new JsonObject().put("method", "UPI").put("status", "PENDING"), new JsonObject().put("vpa", "race@upi"),
      new JsonObject().put("address", "1 Race Street"), new JsonObject().put("email", "race@example.com"), null,
      "hash", "customer:" + customer);
    return OrderStore.insertParams(order, maxUnpaid, OffsetDateTime.now(ZoneOffset.UTC), Duration.ofMinutes(15), Duration.ofHours(24));
  }
}
