package com.oms.inventory;

import static com.oms.bus.Addresses.*;
import static com.oms.bus.Replies.replying;

import com.oms.bus.BusMessage;
import com.oms.bus.HoldOutcome;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.bus.Quote;
import com.oms.bus.QuoteRequest;
import com.oms.bus.Shortage;
import com.oms.bus.StockCommand;
import com.oms.bus.StockLine;
import com.oms.inventory.InventoryScripts.Script;
import com.oms.support.SqlStatements;
import com.oms.support.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns stores, stock and holds. Redis answers "is there enough, take it" atomically per order through
 * Lua; Postgres keeps the durable record of every hold, commit, release and deduction.
 */
public final class InventoryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InventoryVerticle.class);
  /** How long a released or deducted hold record stays in Redis to keep late repeats idempotent. */
  private static final long FINISHED_HOLD_SECONDS = Duration.ofDays(7).toSeconds();

  private final Pool pool;
  private final Redis redis;
  private final Clock clock;
  private final InventoryKeys keys;
  private final SqlStatements sql = SqlStatements.load("sql/inventory.sql");
  private InventoryScripts scripts;

  public InventoryVerticle(Pool pool, Redis redis, String keyPrefix, Clock clock) {
    this.pool = pool;
    this.redis = redis;
    this.clock = clock;
    this.keys = new InventoryKeys(keyPrefix);
  }

  @Override
  public Future<?> start() {
    scripts = new InventoryScripts(redis);
    EventBus bus = vertx.eventBus();
    bus.<JsonObject>consumer(INVENTORY_QUOTE, replying(this::quote));
    bus.<JsonObject>consumer(INVENTORY_HOLD, replying(this::hold));
    bus.<JsonObject>consumer(INVENTORY_COMMIT, replying(this::commit));
    bus.<JsonObject>consumer(INVENTORY_RELEASE, replying(this::release));
    bus.<JsonObject>consumer(INVENTORY_DEDUCT, replying(this::deduct));
    bus.<JsonObject>consumer(INVENTORY_PUT_STORE, replying(this::putStore));
    bus.<JsonObject>consumer(INVENTORY_PUT_STOCK, replying(this::putStock));
    bus.<JsonObject>consumer(INVENTORY_GET_STOCK, replying(this::getStock));
    // Redis may be down at start-up; the first EVALSHA then falls back to EVAL.
    return scripts.preload().recover(failure -> {
      LOG.warn("could not preload inventory scripts yet: {}", failure.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<JsonObject> quote(Message<JsonObject> message) {
    QuoteRequest request = BusMessage.fromJson(message.body(), QuoteRequest.class);
    Tuple params = Tuple.of(request.storeId()).addArrayOfString(request.skus().toArray(String[]::new));
    return pool.preparedQuery(sql.get("quote")).execute(params).map(rows -> {
      if (rows.size() == 0) {
        throw new Problem(ProblemType.UNKNOWN_STORE, "store '" + request.storeId() + "' does not exist");
      }
      Map<String, Long> prices = new HashMap<>();
      Set<String> currencies = new LinkedHashSet<>();
      double lat = 0;
      double lon = 0;
      for (Row row : rows) {
        lat = row.getDouble("lat");
        lon = row.getDouble("lon");
        if (row.getString("sku") != null) {
          prices.put(row.getString("sku"), row.getLong("price_amount"));
          currencies.add(row.getString("currency"));
        }
      }
      List<String> unknown = request.skus().stream().filter(sku -> !prices.containsKey(sku)).distinct().toList();
      if (!unknown.isEmpty()) {
        throw new Problem(ProblemType.UNKNOWN_SKU,
          "store '" + request.storeId() + "' does not sell " + String.join(", ", unknown))
          .with("skus", new JsonArray(unknown));
      }
      if (currencies.size() > 1) {
        throw new Problem(ProblemType.MIXED_CURRENCY, "these SKUs are priced in " + currencies);
      }
      return new Quote(request.storeId(), currencies.iterator().next(), prices, lat, lon).toJson();
    });
  }

  private Future<JsonObject> hold(Message<JsonObject> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    return scripts.run(Script.HOLD, scriptKeys(command), quantities(command)).compose(reply -> {
      String outcome = reply.get(0).toString();
      switch (outcome) {
        case "HELD":
          return recordHold(command).map(v -> new HoldOutcome(true, List.of()).toJson());
        case "SHORT":
          return Future.succeededFuture(new HoldOutcome(false, shortages(command, reply)).toJson());
        case "EXISTS": {
          String state = reply.get(1).toString();
          if ("RELEASED".equals(state)) {
            return Future.failedFuture(new Problem(ProblemType.CONCURRENT_UPDATE,
              "the stock of order " + command.orderId() + " was already released"));
          }
          // a repeat: make sure the ledger has it too (the first attempt may have failed after Redis)
          return recordHold(command).map(v -> new HoldOutcome(true, List.of()).toJson());
        }
        default:
          return Future.failedFuture(new IllegalStateException("hold.lua answered " + outcome));
      }
    });
  }

  private Future<Void> recordHold(StockCommand command) {
    Tuple params = Tuple.of(UUID.fromString(command.orderId()), command.storeId(), linesJson(command), now());
    return pool.preparedQuery(sql.get("record-hold")).execute(params).mapEmpty();
  }

  private static List<Shortage> shortages(StockCommand command, Response reply) {
    List<Shortage> shortages = new ArrayList<>();
    for (int i = 1; i + 1 < reply.size(); i += 2) {
      StockLine line = command.lines().get(reply.get(i).toInteger() - 1);
      shortages.add(new Shortage(line.sku(), line.quantity(), reply.get(i + 1).toInteger()));
    }
    return shortages;
  }

  private Future<JsonObject> commit(Message<JsonObject> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    return scripts.run(Script.COMMIT, scriptKeys(command), quantities(command)).compose(reply -> {
      String state = reply.toString();
      if (!"RESERVED".equals(state)) {
        return Future.succeededFuture(stateReply(state));
      }
      Tuple params = Tuple.of(UUID.fromString(command.orderId()), now());
      return pool.preparedQuery(sql.get("record-commit")).execute(params).map(rows -> stateReply(state));
    });
  }

  private Future<JsonObject> release(Message<JsonObject> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    List<String> args = new ArrayList<>(quantities(command));
    args.add(String.valueOf(FINISHED_HOLD_SECONDS));
    return scripts.run(Script.RELEASE, scriptKeys(command), args).compose(reply -> {
      String state = reply.toString();
      if (!"RELEASED".equals(state)) {
        return Future.succeededFuture(stateReply(state));
      }
      Tuple params = Tuple.of(UUID.fromString(command.orderId()), command.storeId(), linesJson(command), now());
      return pool.preparedQuery(sql.get("record-release")).execute(params).map(rows -> stateReply(state));
    });
  }

  private Future<JsonObject> deduct(Message<JsonObject> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    List<String> args = new ArrayList<>(quantities(command));
    args.add(String.valueOf(FINISHED_HOLD_SECONDS));
    return scripts.run(Script.DEDUCT, scriptKeys(command), args).compose(reply -> {
      String state = reply.toString();
      if (!"DEDUCTED".equals(state)) {
        return Future.succeededFuture(stateReply(state));
      }
      Tuple params = Tuple.of(UUID.fromString(command.orderId()), now());
      return pool.preparedQuery(sql.get("record-deduct")).execute(params).map(rows -> stateReply(state));
    });
  }

  private Future<JsonObject> putStore(Message<JsonObject> message) {
    JsonObject body = message.body();
    JsonObject location = body.getJsonObject("location");
    Tuple params = Tuple.of(body.getString("storeId"), body.getString("name"), location.getDouble("lat"),
      location.getDouble("lon"), now());
    return pool.preparedQuery(sql.get("upsert-store")).execute(params).map(rows -> {
      Row row = rows.iterator().next();
      return new JsonObject()
        .put("storeId", row.getString("store_id"))
        .put("name", row.getString("name"))
        .put("location", new JsonObject().put("lat", row.getDouble("lat")).put("lon", row.getDouble("lon")))
        .put("updatedAt", Times.iso(row.getOffsetDateTime("updated_at")));
    });
  }

  /**
   * Redis first, because only there can "not below what is held" be checked atomically with the write;
   * then Postgres. Should the second write fail, the admin's retry converges both.
   */
  private Future<JsonObject> putStock(Message<JsonObject> message) {
    JsonObject body = message.body();
    String storeId = body.getString("storeId");
    String sku = body.getString("sku");
    int quantity = body.getInteger("quantity");
    JsonObject price = body.getJsonObject("price");
    return pool.preparedQuery(sql.get("store-exists")).execute(Tuple.of(storeId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Problem.notFound("store '" + storeId + "' does not exist"));
      }
      return scripts.run(Script.SET_STOCK, List.of(keys.stock(storeId, sku)), List.of(String.valueOf(quantity)));
    }).compose(reply -> {
      long onHand = reply.get(1).toLong();
      long held = reply.get(2).toLong();
      long reserved = reply.get(3).toLong();
      if ("BELOW".equals(reply.get(0).toString())) {
        return Future.failedFuture(new Problem(ProblemType.STOCK_BELOW_COMMITTED,
          "orders hold " + held + " and reserve " + reserved + " of " + sku + "; on-hand cannot be " + quantity)
          .with("held", held).with("reserved", reserved));
      }
      Tuple params = Tuple.of(storeId, sku, quantity, price.getLong("amount"), price.getString("currency"), now());
      return pool.preparedQuery(sql.get("upsert-stock")).execute(params)
        .map(v -> stockLevel(storeId, sku, onHand, held, reserved, price));
    });
  }

  private Future<JsonObject> getStock(Message<JsonObject> message) {
    String storeId = message.body().getString("storeId");
    String sku = message.body().getString("sku");
    return pool.preparedQuery(sql.get("find-stock")).execute(Tuple.of(storeId, sku)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Problem.notFound("store '" + storeId + "' has no SKU '" + sku + "'"));
      }
      Row row = rows.iterator().next();
      JsonObject price = new JsonObject().put("amount", row.getLong("price_amount")).put("currency", row.getString("currency"));
      Request read = Request.cmd(Command.HMGET).arg(keys.stock(storeId, sku)).arg("onHand").arg("held").arg("reserved");
      return redis.send(read).map(counters -> stockLevel(storeId, sku,
        counters.get(0) == null ? row.getInteger("on_hand") : counters.get(0).toLong(),
        counters.get(1) == null ? 0 : counters.get(1).toLong(),
        counters.get(2) == null ? 0 : counters.get(2).toLong(), price));
    });
  }

  private static JsonObject stockLevel(String storeId, String sku, long onHand, long held, long reserved, JsonObject price) {
    return new JsonObject()
      .put("storeId", storeId)
      .put("sku", sku)
      .put("onHand", onHand)
      .put("held", held)
      .put("reserved", reserved)
      .put("available", Math.max(0, onHand - held - reserved))
      .put("price", price);
  }

  private List<String> scriptKeys(StockCommand command) {
    List<String> scriptKeys = new ArrayList<>(command.lines().size() + 1);
    scriptKeys.add(keys.hold(command.storeId(), command.orderId()));
    command.lines().forEach(line -> scriptKeys.add(keys.stock(command.storeId(), line.sku())));
    return scriptKeys;
  }

  private static List<String> quantities(StockCommand command) {
    return command.lines().stream().map(line -> String.valueOf(line.quantity())).toList();
  }

  private static JsonArray linesJson(StockCommand command) {
    JsonArray lines = new JsonArray();
    command.lines().forEach(line -> lines.add(new JsonObject().put("sku", line.sku()).put("quantity", line.quantity())));
    return lines;
  }

  private static JsonObject stateReply(String state) {
    return new JsonObject().put("state", state);
  }

  private OffsetDateTime now() {
    return Times.now(clock);
  }
}
