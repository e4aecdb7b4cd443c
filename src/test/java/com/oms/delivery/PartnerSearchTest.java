package com.oms.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.support.SqlStatements;
import com.oms.testing.IntegrationTest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Finding a partner for an order reads the partners near its store, not every partner there is: with
 * thousands of partners across the country, an assignment used to read them all.
 */
class PartnerSearchTest extends IntegrationTest {

  private static final String ASSIGN = SqlStatements.load("sql/deliveries.sql").get("assign");
  private static final int FAR_AWAY = 3_000;

  @Test
  @DisplayName("an assignment reads the partners in reach of the store, however many work elsewhere")
  void assignmentReadsOnlyNearbyPartners() {
    String near = unique("near-rider");
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    SqlConnection conn = app.app.pool().getConnection().await();
    try {
      Transaction tx = conn.begin().await();
      try {
        // thousands of free partners around another city, one near the store (20.0, 80.0)
        conn.preparedQuery("""
            INSERT INTO partners (partner_id, name, phone, available, lat, lon, capacity, created_at, updated_at)
            SELECT $1 || '-' || n, 'Far rider', '+910000000000', true, 28.0 + (n % 100) * 0.01, 77.0 + (n / 100) * 0.01,
                   5, $2, $2
              FROM generate_series(1, $3) AS n""").execute(Tuple.of(unique("far-rider"), now, FAR_AWAY)).await();
        conn.preparedQuery("""
            INSERT INTO partners (partner_id, name, phone, available, lat, lon, capacity, created_at, updated_at)
            VALUES ($1, 'Near rider', '+910000000001', true, 20.01, 80.01, 5, $2, $2)""")
          .execute(Tuple.of(near, now)).await();
        long before = partnerRowsRead(conn);

        RowSet<Row> assigned = conn.preparedQuery(ASSIGN).execute(Tuple.of(UUID.randomUUID(), 20.0, 80.0, now,
          unique("store"), new JsonObject().put("address", "1 Near Street"), now.plusMinutes(15), 10.0)).await();
        long read = partnerRowsRead(conn) - before;

        assertThat(assigned.iterator().next().getString("partner_id")).isEqualTo(near);
        // measured: 1 row with the index of free partners by place (migration V14), all 3,001 without it
        assertThat(read).as("partner rows read to assign one order").isLessThan(50);
      } finally {
        tx.rollback().await();
      }
    } finally {
      conn.close().await();
    }
  }

  /** Rows of partners this transaction has read so far, by scans of the table or of its indexes. */
  private static long partnerRowsRead(SqlConnection conn) {
    return conn.query("SELECT pg_stat_get_xact_tuples_returned('partners'::regclass)"
        + " + pg_stat_get_xact_tuples_fetched('partners'::regclass) AS n")
      .execute().await().iterator().next().getLong("n");
  }
}
