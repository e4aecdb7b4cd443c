package com.oms.inventory;

import com.oms.bus.StockCommand;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Writes hold claims to the ledger in batches: one statement for all the claims that arrived while the
 * previous statements ran. Under light load a claim goes out alone at once; under heavy load each
 * statement carries many, so Postgres is not one round trip per hold. Confined to one event loop (the
 * inventory verticle's), so it needs no locks.
 */
final class ClaimBatcher {

  private static final int MAX_BATCH = 256;
  private static final int MAX_CONCURRENT_BATCHES = 4;

  private record Claim(StockCommand command, OffsetDateTime expiresAt, Promise<String> state) {
  }

  private final Pool pool;
  private final String sql;
  private final Supplier<OffsetDateTime> clock;
  private final List<Claim> waiting = new ArrayList<>();
  private int running;

  ClaimBatcher(Pool pool, String sql, Supplier<OffsetDateTime> clock) {
    this.pool = pool;
    this.sql = sql;
    this.clock = clock;
  }

  /** Answers the ledger state of the order's hold after the claim: HELD, or where the order already is. */
  Future<String> claim(StockCommand command, OffsetDateTime expiresAt) {
    Promise<String> state = Promise.promise();
    waiting.add(new Claim(command, expiresAt, state));
    flush();
    return state.future();
  }

  private void flush() {
    while (!waiting.isEmpty() && running < MAX_CONCURRENT_BATCHES) {
      List<Claim> batch = new ArrayList<>(waiting.subList(0, Math.min(MAX_BATCH, waiting.size())));
      waiting.subList(0, batch.size()).clear();
      running++;
      write(batch).onComplete(ar -> {
        running--;
        flush();
      });
    }
  }

  private Future<Void> write(List<Claim> batch) {
    // one row per order: a repeated claim in the same batch shares the first one's answer
    Map<UUID, List<Claim>> byOrder = new LinkedHashMap<>();
    batch.forEach(claim -> byOrder.computeIfAbsent(UUID.fromString(claim.command().orderId()), id -> new ArrayList<>()).add(claim));
    int size = byOrder.size();
    UUID[] orders = new UUID[size];
    String[] stores = new String[size];
    JsonArray[] lines = new JsonArray[size];
    OffsetDateTime[] expiries = new OffsetDateTime[size];
    int i = 0;
    for (Map.Entry<UUID, List<Claim>> entry : byOrder.entrySet()) {
      Claim first = entry.getValue().get(0);
      orders[i] = entry.getKey();
      stores[i] = first.command().storeId();
      lines[i] = StockLedger.linesJson(first.command());
      expiries[i] = first.expiresAt();
      i++;
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(orders).addArrayOfString(stores).addArrayOfJsonArray(lines)
      .addArrayOfOffsetDateTime(expiries).addOffsetDateTime(clock.get());
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      Map<UUID, String> states = new HashMap<>();
      for (Row row : rows) {
        states.put(row.getUUID("order_id"), row.getString("state"));
      }
      byOrder.forEach((order, claims) -> claims.forEach(claim -> claim.state().complete(states.get(order))));
      return (Void) null;
    }).onFailure(failure -> batch.forEach(claim -> claim.state().tryFail(failure)));
  }
}
