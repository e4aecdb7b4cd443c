package com.oms.inventory;

import com.oms.bus.StockCommand;
import com.oms.support.Batcher;
import com.oms.support.GroupCommit;
import com.oms.support.SqlStatements;
import com.oms.support.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The durable record of stock: on-hand per SKU, and one ledger row per order that ever asked for stock.
 * Written so that Postgres never knows less than Redis holds: a hold's row comes before Redis is asked,
 * a commit, release or deduction's row after Redis applied it.
 */
final class StockLedger {

  private final Pool pool;
  private final GroupCommit.Writes writes;
  /** For the stock levels, rows every order of a SKU writes: see OmsApplication's lanes. */
  private final GroupCommit.Writes sharedRowWrites;
  private final Clock clock;
  final SqlStatements sql = SqlStatements.load("sql/inventory.sql");
  private final ClaimBatcher claims;
  private final Batcher<UUID, Void> commits;

  StockLedger(Vertx vertx, Pool pool, GroupCommit.Writes writes, GroupCommit.Writes sharedRowWrites, Clock clock) {
    this.pool = pool;
    this.writes = writes;
    this.sharedRowWrites = sharedRowWrites;
    this.clock = clock;
    this.claims = new ClaimBatcher(vertx, writes, sql.get("claim-holds"), this::now);
    this.commits = new Batcher<>(vertx, 256, 2, null, orders -> writes.execute(sql.get("record-commits"),
      Tuple.of(orders.toArray(UUID[]::new), now()))
      .map(rows -> java.util.Collections.nCopies(orders.size(), (Void) null)));
  }

  /** Claims the hold before Redis is asked; answers the row's state (HELD, or where the order already is). */
  Future<String> claimHold(StockCommand command, OffsetDateTime expiresAt) {
    return claims.claim(command, expiresAt);
  }

  Future<Void> rejectHold(String orderId) {
    return update("reject-hold", Tuple.of(UUID.fromString(orderId), now()));
  }

  /** Records that the order's hold is now a reservation; written with other orders' in one statement under load. */
  Future<Void> recordCommit(String orderId) {
    return commits.submit(UUID.fromString(orderId));
  }

  /** Answers the ledger row's state afterwards: RELEASED, or DEDUCTED for an order picked up before. */
  Future<String> recordRelease(StockCommand command) {
    return writes.execute(sql.get("record-release"),
        Tuple.of(UUID.fromString(command.orderId()), command.storeId(), linesJson(command), now()))
      .map(rows -> rows.iterator().next().getString("state"));
  }

  Future<Void> recordDeduct(String orderId) {
    return sharedRowWrites.execute(sql.get("record-deduct"), Tuple.of(UUID.fromString(orderId), now())).mapEmpty();
  }

  /** The state of the order's ledger row, or null when it has none. */
  Future<String> holdState(String orderId) {
    return pool.preparedQuery(sql.get("hold-state")).execute(Tuple.of(UUID.fromString(orderId)))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("state"));
  }

  /** What open holds take of one SKU: {held, reserved}. */
  Future<long[]> committed(SqlClient client, String storeId, String sku) {
    return client.preparedQuery(sql.get("committed-of-sku")).execute(Tuple.of(storeId, sku)).map(rows -> {
      Row row = rows.iterator().next();
      return new long[] {row.getLong("held"), row.getLong("reserved")};
    });
  }

  Future<List<String>> stores() {
    return pool.preparedQuery(sql.get("all-stores")).execute().map(rows -> {
      List<String> stores = new ArrayList<>();
      rows.forEach(row -> stores.add(row.getString("store_id")));
      return stores;
    });
  }

  /** A store as Postgres has it: on-hand per SKU, and the open holds with their lines. */
  record Snapshot(Map<String, Integer> onHand, List<OpenHold> holds) {
  }

  record OpenHold(String orderId, String state, JsonArray lines) {
  }

  /** Per SKU: {onHand, held, reserved} as Postgres has them. */
  Future<Map<String, long[]>> figures(String storeId) {
    return pool.preparedQuery(sql.get("figures")).execute(Tuple.of(storeId)).map(rows -> {
      Map<String, long[]> figures = new java.util.LinkedHashMap<>();
      rows.forEach(row -> figures.put(row.getString("sku"),
        new long[] {row.getLong("on_hand"), row.getLong("held"), row.getLong("reserved")}));
      return figures;
    });
  }

  Future<Snapshot> snapshot(String storeId) {
    return snapshot(sql.get("snapshot"), Tuple.of(storeId));
  }

  /** The store's stock of these SKUs and the open holds with a line of any of them, from one instant. */
  Future<Snapshot> snapshot(String storeId, java.util.Collection<String> skus) {
    return snapshot(sql.get("snapshot-of-skus"), Tuple.of(storeId).addArrayOfString(skus.toArray(String[]::new)));
  }

  private Future<Snapshot> snapshot(String statement, Tuple params) {
    return pool.preparedQuery(statement).execute(params).map(rows -> {
      Map<String, Integer> onHand = new java.util.TreeMap<>();
      List<OpenHold> open = new ArrayList<>();
      for (Row row : rows) {
        if ("stock".equals(row.getString("kind"))) {
          onHand.put(row.getString("sku"), row.getInteger("on_hand"));
        } else {
          open.add(new OpenHold(row.getUUID("order_id").toString(), row.getString("state"), (JsonArray) row.getJson("lines")));
        }
      }
      return new Snapshot(onHand, open);
    });
  }

  OffsetDateTime now() {
    return Times.now(clock);
  }

  private Future<Void> update(String statement, Tuple params) {
    return writes.execute(sql.get(statement), params).mapEmpty();
  }

  static JsonArray linesJson(StockCommand command) {
    JsonArray lines = new JsonArray();
    command.lines().forEach(line -> lines.add(new JsonObject().put("sku", line.sku()).put("quantity", line.quantity())));
    return lines;
  }
}
