package com.oms.dev.bench;

import com.oms.inventory.InventoryKeys;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What must hold after any run, read straight from Postgres and Redis: every acknowledged order exists,
 * no order is stuck, no SKU is oversold, Redis equals Postgres for every SKU, and no cancelled or failed
 * order is still charged. Used by the fault suite and the load-test harness.
 */
final class Invariants {

  /** States the service itself moves on from; an order left in one of them (or mid-compensation) is stuck. */
  static final List<String> SERVICE_DRIVEN = List.of("CREATED", "PAYMENT_PENDING", "PAYMENT_SUCCESS", "INVENTORY_RESERVED");
  /** States in which an order waits for its partner: legitimately in flight when no partner acts. */
  static final List<String> PARTNER_DRIVEN = List.of("DELIVERY_PARTNER_ASSIGNED", "PICKED_UP");

  record Report(Map<String, Long> figures, List<String> violations) {
    boolean passed() {
      return violations.isEmpty();
    }
  }

  private static final String STOCK = """
      WITH open_lines AS (
        SELECT h.store_id, l ->> 'sku' AS sku,
               sum((l ->> 'quantity')::int) FILTER (WHERE h.state = 'HELD') AS held,
               sum((l ->> 'quantity')::int) FILTER (WHERE h.state = 'RESERVED') AS reserved
          FROM stock_holds h, jsonb_array_elements(h.lines) l
         WHERE h.state IN ('HELD', 'RESERVED')
         GROUP BY 1, 2)
      SELECT i.store_id, i.sku, i.on_hand, coalesce(o.held, 0) AS held, coalesce(o.reserved, 0) AS reserved
        FROM stock_items i LEFT JOIN open_lines o ON o.store_id = i.store_id AND o.sku = i.sku
       ORDER BY i.store_id, i.sku
      """;

  private Invariants() {
  }

  /**
   * Waits until no order is in one of {@code unsettledStates} nor mid-compensation, or the deadline passes;
   * answers how many still are.
   */
  static long awaitSettled(Pool pool, List<String> unsettledStates, Duration deadline) {
    return awaitSettledWhere(pool, "true", unsettledStates, deadline);
  }

  /** As {@link #awaitSettled}, for the orders matching {@code where} (a fixed SQL condition on orders). */
  static long awaitSettledWhere(Pool pool, String where, List<String> unsettledStates, Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    long unsettled;
    do {
      unsettled = unsettled(pool, where, unsettledStates);
      if (unsettled == 0) {
        return 0;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    } while (System.nanoTime() < until);
    return unsettled;
  }

  /** Orders matching {@code where} that are in one of {@code states} or mid-compensation. */
  private static long unsettled(Pool pool, String where, List<String> states) {
    String query = "SELECT count(*) AS n FROM orders WHERE (" + where + ") AND (status = ANY($1) OR compensation_pending)";
    return pool.preparedQuery(query).execute(io.vertx.sqlclient.Tuple.of(states.toArray(new String[0])))
      .await().iterator().next().getLong("n");
  }

  /**
   * Checks everything; {@code unsettledStates} are the states no order may be left in (the service-driven
   * ones, plus the partner-driven ones when partners finish every order).
   */
  static Report check(Pool pool, Redis redis, String redisKeyPrefix, Collection<String> acknowledged,
                      List<String> unsettledStates) {
    Map<String, Long> figures = new LinkedHashMap<>();
    List<String> violations = new ArrayList<>();

    Set<String> stored = new HashSet<>();
    pool.query("SELECT order_id FROM orders").execute().await().forEach(row -> stored.add(row.getUUID("order_id").toString()));
    long lost = acknowledged.stream().filter(id -> !stored.contains(id)).count();
    figures.put("orders acknowledged (201)", (long) acknowledged.size());
    figures.put("acknowledged orders missing from Postgres", lost);
    if (lost > 0) {
      violations.add(lost + " orders that got a 201 are gone");
    }

    pool.query("SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status").execute().await()
      .forEach(row -> figures.put("orders " + row.getString("status"), row.getLong("n")));
    long stuck = unsettled(pool, "true", unsettledStates);
    figures.put("orders stuck (in " + String.join(", ", unsettledStates) + " or mid-compensation)", stuck);
    if (stuck > 0) {
      violations.add(stuck + " orders are neither final nor legitimately in flight");
    }

    checkStock(pool, redis, new InventoryKeys(redisKeyPrefix), figures, violations);

    long paidButEnded = pool.query("""
        SELECT count(*) AS n FROM orders o JOIN payments p ON p.order_id = o.order_id
         WHERE o.status IN ('CANCELLED', 'FAILED') AND p.status = 'SUCCEEDED'
        """).execute().await().iterator().next().getLong("n");
    figures.put("cancelled or failed orders still charged", paidButEnded);
    if (paidButEnded > 0) {
      violations.add(paidButEnded + " cancelled or failed orders were not refunded");
    }
    return new Report(figures, violations);
  }

  private static void checkStock(Pool pool, Redis redis, InventoryKeys keys, Map<String, Long> figures,
                                 List<String> violations) {
    List<Row> rows = new ArrayList<>();
    pool.query(STOCK).execute().await().forEach(rows::add);
    List<Request> reads = rows.stream().map(row -> Request.cmd(Command.HMGET)
      .arg(keys.stock(row.getString("store_id"), row.getString("sku"))).arg("onHand").arg("held").arg("reserved")).toList();
    List<Response> inRedis = new ArrayList<>();
    for (int from = 0; from < reads.size(); from += 1000) {
      inRedis.addAll(redis.batch(reads.subList(from, Math.min(reads.size(), from + 1000))).await());
    }
    long drifted = 0;
    long oversold = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      String name = row.getString("store_id") + "/" + row.getString("sku");
      long[] pg = {row.getLong("on_hand"), row.getLong("held"), row.getLong("reserved")};
      Response r = inRedis.get(i);
      long[] redisFigures = {value(r.get(0)), value(r.get(1)), value(r.get(2))};
      if (!Arrays.equals(redisFigures, pg)) {
        drifted++;
        if (drifted <= 20) {
          violations.add("stock of " + name + ": Redis " + Arrays.toString(redisFigures) + " but Postgres " + Arrays.toString(pg));
        }
      }
      if (pg[0] < 0 || pg[1] + pg[2] > pg[0]) {
        oversold++;
        violations.add("stock of " + name + " oversold: " + Arrays.toString(pg));
      }
    }
    figures.put("SKUs checked", (long) rows.size());
    figures.put("SKUs where Redis differs from Postgres", drifted);
    figures.put("SKUs oversold", oversold);
    if (drifted > 20) {
      violations.add("... and " + (drifted - 20) + " more SKUs where Redis differs");
    }
  }

  private static long value(Response response) {
    return response == null ? -1 : response.toLong();
  }

  static void print(Report report) {
    report.figures().forEach((name, value) -> System.out.println(String.format("  %-60s %,d", name, value)));
    System.out.println(report.passed() ? "INVARIANTS HOLD" : "INVARIANTS VIOLATED:");
    report.violations().forEach(violation -> System.out.println("  - " + violation));
  }
}
