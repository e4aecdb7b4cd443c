package com.oms.inventory;

import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Stores and stock as admins manage them. An on-hand change holds the SKU's row lock while Redis applies
 * it, so changes of one SKU are serialised across instances, and Redis checks atomically (against holds
 * racing in) that available stock stays at zero or above; Postgres commits only what Redis accepted.
 */
final class StockAdmin {

  private final Pool pool;
  private final Redis redis;
  private final StockLedger ledger;
  private final StockProjection projection;
  private final Reconciler reconciler;
  private final InventoryKeys keys;

  StockAdmin(Pool pool, Redis redis, StockLedger ledger, StockProjection projection, Reconciler reconciler,
             InventoryKeys keys) {
    this.pool = pool;
    this.redis = redis;
    this.ledger = ledger;
    this.projection = projection;
    this.reconciler = reconciler;
    this.keys = keys;
  }

  Future<JsonObject> putStore(JsonObject body) {
    JsonObject location = body.getJsonObject("location");
    JsonObject hours = body.getJsonObject("hours", new JsonObject());
    java.time.ZoneId zone;
    try {
      zone = java.time.ZoneId.of(hours.getString("timeZone", "UTC"));
    } catch (java.time.DateTimeException e) {
      return Future.failedFuture(new Problem(ProblemType.VALIDATION_FAILED, "unknown time zone " + hours.getString("timeZone"))
        .with("errors", new JsonArray().add(new JsonObject().put("pointer", "/hours/timeZone").put("message", "unknown time zone"))));
    }
    Tuple params = Tuple.tuple()
      .addString(body.getString("storeId"))
      .addString(body.getString("name"))
      .addDouble(location.getDouble("lat"))
      .addDouble(location.getDouble("lon"))
      .addLocalTime(java.time.LocalTime.parse(hours.getString("opens", "00:00")))
      .addLocalTime(java.time.LocalTime.parse(hours.getString("closes", "00:00")))
      .addString(zone.getId())
      .addInteger(body.getInteger("preparationMinutes", 15))
      .addOffsetDateTime(ledger.now());
    return pool.preparedQuery(ledger.sql.get("upsert-store")).execute(params).map(rows -> {
      Row row = rows.iterator().next();
      return new JsonObject()
        .put("storeId", row.getString("store_id"))
        .put("name", row.getString("name"))
        .put("location", new JsonObject().put("lat", row.getDouble("lat")).put("lon", row.getDouble("lon")))
        .put("hours", new JsonObject()
          .put("opens", row.getLocalTime("opens_at").toString())
          .put("closes", row.getLocalTime("closes_at").toString())
          .put("timeZone", row.getString("time_zone")))
        .put("preparationMinutes", row.getInteger("preparation_minutes"))
        .put("updatedAt", com.oms.support.Times.iso(row.getOffsetDateTime("updated_at")));
    });
  }

  /** Sets on-hand and price; on-hand may not go below what open orders hold and reserve. */
  Future<JsonObject> putStock(JsonObject body) {
    String storeId = body.getString("storeId");
    String sku = body.getString("sku");
    int quantity = body.getInteger("quantity");
    JsonObject price = body.getJsonObject("price");
    return requireStore(storeId).compose(v -> changeWithLock(storeId, sku, (conn, current) ->
      projection.changeOnHand(storeId, sku, "SET", quantity).compose(reply -> accepted(storeId, sku, reply, quantity))
        .compose(level -> conn.preparedQuery(ledger.sql.get("upsert-stock"))
          .execute(Tuple.of(storeId, sku, quantity, price.getLong("amount"), price.getString("currency"), ledger.now()))
          .map(done -> level.put("price", price)))));
  }

  /**
   * Restock (positive delta) or shrinkage (negative), applied once per Idempotency-Key. A repeat answers
   * the figures as they are now; the key reused for another SKU or delta is refused.
   */
  Future<JsonObject> adjustStock(JsonObject body) {
    String storeId = body.getString("storeId");
    String sku = body.getString("sku");
    int delta = body.getInteger("delta");
    String key = body.getString("idempotencyKey");
    return pool.preparedQuery(ledger.sql.get("find-adjustment")).execute(Tuple.of(storeId, key)).compose(found -> {
      if (found.size() > 0) {
        Row earlier = found.iterator().next();
        if (!earlier.getString("sku").equals(sku) || earlier.getInteger("delta") != delta) {
          return Future.failedFuture(new Problem(ProblemType.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key already adjusted " + earlier.getString("sku") + " by " + earlier.getInteger("delta")));
        }
        return getStock(storeId, sku).map(level -> level.put("replayed", true));
      }
      return changeWithLock(storeId, sku, (conn, current) -> {
        if (current == null) {
          return Future.failedFuture(Problem.notFound("store '" + storeId + "' has no SKU '" + sku + "'"));
        }
        long target = (long) current.getInteger("on_hand") + delta;
        if (target < 0) {
          return Future.failedFuture(new Problem(ProblemType.STOCK_BELOW_COMMITTED,
            "on-hand of " + sku + " is " + current.getInteger("on_hand") + "; it cannot drop by " + -delta));
        }
        return projection.changeOnHand(storeId, sku, "ADD", delta)
          .compose(reply -> accepted(storeId, sku, reply, target))
          .compose(level -> conn.preparedQuery(ledger.sql.get("set-on-hand"))
            .execute(Tuple.of(storeId, sku, (int) target, ledger.now()))
            .compose(done -> conn.preparedQuery(ledger.sql.get("insert-adjustment"))
              .execute(Tuple.of(storeId, key, sku, delta, body.getString("reason"), (int) target, ledger.now())))
            .map(done -> level.put("price", price(current))));
      });
    });
  }

  Future<JsonObject> getStock(String storeId, String sku) {
    return pool.preparedQuery(ledger.sql.get("find-stock")).execute(Tuple.of(storeId, sku)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Problem.notFound("store '" + storeId + "' has no SKU '" + sku + "'"));
      }
      Row row = rows.iterator().next();
      return counters(storeId, List.of(sku)).map(figures -> level(storeId, sku, figures.get(0), price(row)));
    });
  }

  /** One page of a store's stock, ordered by SKU; the cursor is the last SKU of the previous page. */
  Future<JsonObject> listStock(String storeId, int limit, String cursor) {
    String after = cursor == null ? "" : decodeCursor(cursor);
    return requireStore(storeId)
      .compose(v -> pool.preparedQuery(ledger.sql.get("list-stock")).execute(Tuple.of(storeId, after, limit + 1)))
      .compose(rows -> {
        List<Row> page = new ArrayList<>();
        rows.forEach(page::add);
        boolean more = page.size() > limit;
        List<Row> shown = more ? page.subList(0, limit) : page;
        List<String> skus = shown.stream().map(row -> row.getString("sku")).toList();
        return counters(storeId, skus).map(figures -> {
          JsonArray items = new JsonArray();
          for (int i = 0; i < shown.size(); i++) {
            items.add(level(storeId, skus.get(i), figures.get(i), price(shown.get(i))));
          }
          String next = more ? Base64.getUrlEncoder().withoutPadding()
            .encodeToString(skus.get(skus.size() - 1).getBytes(StandardCharsets.UTF_8)) : null;
          return new JsonObject().put("storeId", storeId).put("items", items).put("nextCursor", next);
        });
      });
  }

  interface LockedChange {
    /** {@code current} is the locked stock row, or null for a SKU the store does not have yet. */
    Future<JsonObject> apply(SqlConnection conn, Row current);
  }

  /**
   * The store is loaded into Redis before the row lock is taken: loading reads Postgres through the same
   * pool, and many first changes of a new store each holding a connection while waiting for that load
   * would starve it.
   */
  private Future<JsonObject> changeWithLock(String storeId, String sku, LockedChange change) {
    return reconciler.ensureLoaded(storeId).compose(loaded -> pool.withTransaction(conn -> conn
        .preparedQuery(ledger.sql.get("lock-stock")).execute(Tuple.of(storeId, sku))
        .compose(rows -> change.apply(conn, rows.size() == 0 ? null : rows.iterator().next()))))
      .recover(failure -> {
        if (failure instanceof Problem) {
          return Future.failedFuture(failure);
        }
        // Redis may have applied a change Postgres then did not commit: put Redis back to Postgres
        return reconciler.reconcile(storeId).transform(ar -> Future.failedFuture(failure));
      });
  }

  private static Future<JsonObject> accepted(String storeId, String sku, Response reply, long wanted) {
    long onHand = reply.get(1).toLong();
    long held = reply.get(2).toLong();
    long reserved = reply.get(3).toLong();
    if ("BELOW".equals(InventoryScripts.outcome(reply))) {
      return Future.failedFuture(new Problem(ProblemType.STOCK_BELOW_COMMITTED,
        "orders hold " + held + " and reserve " + reserved + " of " + sku + "; on-hand cannot be " + wanted)
        .with("held", held).with("reserved", reserved));
    }
    return Future.succeededFuture(new JsonObject()
      .put("storeId", storeId).put("sku", sku).put("onHand", onHand).put("held", held).put("reserved", reserved)
      .put("available", onHand - held - reserved));
  }

  /** {onHand, held, reserved} per SKU from Redis, loading the store first if Redis lost it. */
  private Future<List<long[]>> counters(String storeId, List<String> skus) {
    if (skus.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Request> reads = new ArrayList<>();
    reads.add(Request.cmd(Command.EXISTS).arg(keys.ops(storeId)));
    skus.forEach(sku -> reads.add(Request.cmd(Command.HMGET).arg(keys.stock(storeId, sku)).arg("onHand").arg("held").arg("reserved")));
    return redis.batch(reads).compose(replies -> {
      if (replies.get(0).toInteger() == 0) {
        return reconciler.reconcile(storeId).compose(loaded -> counters(storeId, skus));
      }
      List<long[]> figures = new ArrayList<>();
      for (int i = 1; i < replies.size(); i++) {
        Response counters = replies.get(i);
        figures.add(new long[] {value(counters.get(0)), value(counters.get(1)), value(counters.get(2))});
      }
      return Future.succeededFuture(figures);
    });
  }

  private static long value(Response response) {
    return response == null ? 0 : response.toLong();
  }

  private Future<Void> requireStore(String storeId) {
    return pool.preparedQuery(ledger.sql.get("store-exists")).execute(Tuple.of(storeId)).compose(rows -> rows.size() == 0
      ? Future.failedFuture(Problem.notFound("store '" + storeId + "' does not exist"))
      : Future.succeededFuture());
  }

  private static JsonObject level(String storeId, String sku, long[] figures, JsonObject price) {
    return new JsonObject()
      .put("storeId", storeId)
      .put("sku", sku)
      .put("onHand", figures[0])
      .put("held", figures[1])
      .put("reserved", figures[2])
      .put("available", Math.max(0, figures[0] - figures[1] - figures[2]))
      .put("price", price);
  }

  private static JsonObject price(Row row) {
    return new JsonObject().put("amount", row.getLong("price_amount")).put("currency", row.getString("currency"));
  }

  private static String decodeCursor(String cursor) {
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Problem(ProblemType.VALIDATION_FAILED, "cursor is not one this service issued");
    }
  }
}
