package com.oms.inventory;

import com.oms.bus.StockCommand;
import com.oms.support.Batcher;
import com.oms.support.GroupCommit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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
 * Writes hold claims to the ledger in batches ({@link Batcher}): one statement for all the claims that
 * arrived while the previous statements ran, so Postgres is not one round trip and one commit per hold.
 */
final class ClaimBatcher {

  private static final int MAX_BATCH = 256;
  private static final int MAX_CONCURRENT_BATCHES = 2;

  private record Claim(StockCommand command, OffsetDateTime expiresAt) {
  }

  private final GroupCommit.Writes writes;
  private final String sql;
  private final Supplier<OffsetDateTime> clock;
  private final Batcher<Claim, String> batcher;

  ClaimBatcher(Vertx vertx, GroupCommit.Writes writes, String sql, Supplier<OffsetDateTime> clock) {
    this.writes = writes;
    this.sql = sql;
    this.clock = clock;
    this.batcher = new Batcher<>(vertx, MAX_BATCH, MAX_CONCURRENT_BATCHES, null, this::write);
  }

  /** Answers the ledger state of the order's hold after the claim: HELD, or where the order already is. */
  Future<String> claim(StockCommand command, OffsetDateTime expiresAt) {
    return batcher.submit(new Claim(command, expiresAt));
  }

  private Future<List<String>> write(List<Claim> batch) {
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
    return writes.execute(sql, params).map(rows -> {
      Map<UUID, String> states = new HashMap<>();
      for (Row row : rows) {
        states.put(row.getUUID("order_id"), row.getString("state"));
      }
      List<String> answers = new ArrayList<>(batch.size());
      batch.forEach(claim -> answers.add(states.get(UUID.fromString(claim.command().orderId()))));
      return answers;
    });
  }
}
