package com.oms.dev.bench;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * What a run cost the database, from pg_stat_statements: statements and commits per acknowledged order,
 * and the statements that took the most time. Silent when the server does not load the extension.
 */
final class StatementCosts {

  private StatementCosts() {
  }

  /** Starts counting afresh (after seeding), so the figures are the run's own. */
  static void reset(Pool pool) {
    if (pool == null) {
      return;
    }
    try {
      pool.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute()
        .compose(v -> pool.query("SELECT pg_stat_statements_reset()").execute())
        .compose(v -> pool.query("SELECT pg_stat_reset()").execute())
        .compose(v -> pool.query("SELECT pg_stat_reset_shared('wal')").execute()).await();
    } catch (Exception notLoaded) {
      // a configured Postgres without the extension preloaded: no statement figures
    }
  }

  /** Prints the totals per order and, when {@code shown} > 0, that many statements by total time. */
  static void print(Pool pool, long orders, int shown) {
    if (pool == null || orders == 0) {
      return;
    }
    try {
      Row totals = pool.query("""
          SELECT (SELECT sum(calls) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                   WHERE d.datname = current_database()) AS calls,
                 (SELECT sum(total_exec_time) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                   WHERE d.datname = current_database()) AS exec_ms,
                 (SELECT sum(total_plan_time) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                   WHERE d.datname = current_database()) AS plan_ms,
                 (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
                 (SELECT wal_bytes FROM pg_stat_wal) AS wal_bytes,
                 (SELECT wal_fpi FROM pg_stat_wal) AS full_pages,
                 (SELECT wal_sync FROM pg_stat_wal) AS flushes
          """).execute().await().iterator().next();
      System.out.printf("database per acknowledged order: %.1f statements, %.1f commits, %.2f WAL flushes, %.2f ms executing, %.2f ms planning,"
          + " %.1f KiB of WAL (%.1f full-page images)%n",
        totals.getNumeric("calls").doubleValue() / orders, totals.getLong("commits") / (double) orders,
        totals.getLong("flushes") / (double) orders,
        totals.getNumeric("exec_ms").doubleValue() / orders, totals.getNumeric("plan_ms").doubleValue() / orders, totals.getNumeric("wal_bytes").doubleValue() / orders / 1024,
        totals.getLong("full_pages") / (double) orders);
      if (shown <= 0) {
        return;
      }
      System.out.println("  per order | mean ms | plan ms | share | statement");
      for (Row row : pool.preparedQuery("""
          SELECT calls, mean_exec_time, total_plan_time / greatest(calls, 1) AS plan_time,
                 total_exec_time / sum(total_exec_time) OVER () AS share,
                 regexp_replace(query, '\\s+', ' ', 'g') AS query
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
           WHERE d.datname = current_database()
           ORDER BY total_exec_time DESC LIMIT $1
          """).execute(Tuple.of(shown)).await()) {
        String query = row.getString("query");
        System.out.printf("  %9.2f | %7.3f | %7.3f | %4.0f%% | %s%n", row.getLong("calls") / (double) orders,
          row.getDouble("mean_exec_time"), row.getDouble("plan_time"), row.getDouble("share") * 100,
          query.length() > 110 ? query.substring(0, 110) + "..." : query);
      }
    } catch (Exception notLoaded) {
      System.out.println("  (no statement figures: " + notLoaded.getMessage() + ")");
    }
  }
}
