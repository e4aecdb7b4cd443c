package com.oms.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The updates that follow an insert within seconds (an outbox event's lease, a payment's outcome) are
 * mostly written in place, with no new index entries (HOT), because their tables leave room on each page
 * (migration V12). Rows are written as the service writes them, with its own statements, in a transaction
 * that is rolled back; Postgres counts the transaction's HOT updates itself.
 */
class HotUpdatesTest extends IntegrationTest {

  private static final SqlStatements ORDERS = SqlStatements.load("sql/orders.sql");
  private static final SqlStatements NOTIFICATIONS = SqlStatements.load("sql/notifications.sql");
  private static final SqlStatements PAYMENTS = SqlStatements.load("sql/payments.sql");
  // enough rows to fill many pages: at the default fill factor only the last page's updates could be HOT
  private static final int ROWS = 600;

  @Test
  @DisplayName("leasing freshly written outbox events updates them in place")
  void outboxLeaseIsHot() {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    inRolledBackTransaction(conn -> {
      for (int i = 0; i < ROWS; i++) {
        UUID orderId = UUID.randomUUID();
        conn.preparedQuery(ORDERS.get("insert-notice"))
          .execute(Tuple.of(UUID.randomUUID(), orderId, "ORDER_CONFIRMED", payload(orderId), now)).await();
      }
      long leased = conn.preparedQuery(NOTIFICATIONS.get("claim-outbox"))
        .execute(Tuple.of(100_000, now.plusSeconds(1), now.plusMinutes(1))).await().rowCount();
      assertThat(leased).as("the events written, and any other test's not yet relayed").isGreaterThanOrEqualTo(ROWS);
      // measured: 468 of 600 at fill factor 60 (the rest find their page full of new versions not yet
      // prunable, as under load: 79% at 580 orders/s), none at the default
      assertThat(hotUpdates(conn, "outbox")).as("HOT updates of the %d leased events", leased)
        .isGreaterThanOrEqualTo(leased / 2);
    });
  }

  @Test
  @DisplayName("settling freshly opened payments updates them in place")
  void paymentSettlementIsHot() {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    UUID[] orders = new UUID[ROWS];
    String[] customers = new String[ROWS];
    String[] methods = new String[ROWS];
    Long[] amounts = new Long[ROWS];
    String[] currencies = new String[ROWS];
    String[] statuses = new String[ROWS];
    String[] references = new String[ROWS];
    String[] declines = new String[ROWS];
    for (int i = 0; i < ROWS; i++) {
      orders[i] = UUID.randomUUID();
      customers[i] = unique("payer");
      methods[i] = "CREDIT_CARD";
      amounts[i] = 12_345L;
      currencies[i] = "INR";
      statuses[i] = "SUCCEEDED";
      references[i] = "ch_" + orders[i];
    }
    inRolledBackTransaction(conn -> {
      conn.preparedQuery(PAYMENTS.get("open-payments")).execute(Tuple.tuple().addArrayOfUUID(orders)
        .addArrayOfString(customers).addArrayOfString(methods).addArrayOfLong(amounts)
        .addArrayOfString(currencies).addOffsetDateTime(now)).await();
      long settled = conn.preparedQuery(PAYMENTS.get("settle-payments")).execute(Tuple.tuple().addArrayOfUUID(orders)
        .addArrayOfString(statuses).addArrayOfString(references).addArrayOfString(declines)
        .addOffsetDateTime(now.plusSeconds(1))).await().rowCount();
      assertThat(settled).isEqualTo(ROWS);
      // measured: 197 of 600 here, where every row of a page is updated at once (94% under load, where
      // the attempt's update came first and pages were pruned in between), none at the default
      assertThat(hotUpdates(conn, "payments")).as("HOT updates of the %d settled payments", ROWS)
        .isGreaterThanOrEqualTo(ROWS / 4);
    });
  }

  private static JsonObject payload(UUID orderId) {
    // the size of a real notice: who to tell and how
    return new JsonObject().put("orderId", orderId.toString()).put("customerId", "customer-" + orderId)
      .put("status", "PAYMENT_SUCCESS").put("reason", "payment succeeded")
      .put("contact", new JsonObject().put("email", "someone@example.com").put("phone", "+919800000000")
        .put("pushToken", "push-" + orderId).put("name", "Some One"))
      .put("total", new JsonObject().put("amount", 12_345).put("currency", "INR"));
  }

  private static long hotUpdates(SqlConnection conn, String table) {
    return conn.preparedQuery("SELECT pg_stat_get_xact_tuples_hot_updated($1::regclass) AS n")
      .execute(Tuple.of(table)).await().iterator().next().getLong("n");
  }

  private void inRolledBackTransaction(java.util.function.Consumer<SqlConnection> work) {
    SqlConnection conn = app.app.pool().getConnection().await();
    try {
      Transaction tx = conn.begin().await();
      try {
        work.accept(conn);
      } finally {
        tx.rollback().await();
      }
    } finally {
      conn.close().await();
    }
  }
}
