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
import com.oms.support.GroupCommit;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns stores, stock and holds. Redis answers "is there enough, take it" atomically per order through
 * Lua; Postgres keeps the durable record of every hold, commit, release and deduction, and the
 * reconciler keeps Redis equal to it.
 */
public final class InventoryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InventoryVerticle.class);
  /**
   * The longest a quote may come from memory after its store was read: the bound on an old price for a
   * member that missed the message telling it of a change.
   */
  private static final Duration CATALOG_MAX_AGE = Duration.ofSeconds(10);

  /** How long a released or deducted hold record stays in Redis to keep late repeats idempotent. */
  private static final long FINISHED_HOLD_SECONDS = Duration.ofDays(7).toSeconds();

  public record Settings(String keyPrefix, Duration holdTtl, Duration reconcileInterval, Duration lossCheckInterval) {
  }

  private final Pool pool;
  private final GroupCommit.Writes writes;
  private final GroupCommit.Writes sharedRowWrites;
  private final Redis redis;
  private final Clock clock;
  private final Settings settings;
  private final MeterRegistry registry;
  private StockLedger ledger;
  private StockProjection projection;
  private Reconciler reconciler;
  private StockAdmin admin;
  private InventoryScripts scripts;
  private Catalog catalog;

  /**
   * @param writes the writes of rows of one order (its hold)
   * @param sharedRowWrites the writes of rows many orders share (stock levels), kept out of concurrent groups
   */
  public InventoryVerticle(Pool pool, GroupCommit.Writes writes, GroupCommit.Writes sharedRowWrites, Redis redis,
                           Clock clock, Settings settings, MeterRegistry registry) {
    this.pool = pool;
    this.writes = writes;
    this.sharedRowWrites = sharedRowWrites;
    this.redis = redis;
    this.clock = clock;
    this.settings = settings;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    InventoryKeys keys = new InventoryKeys(settings.keyPrefix());
    scripts = new InventoryScripts(vertx, redis);
    ledger = new StockLedger(vertx, pool, writes, sharedRowWrites, clock);
    reconciler = new Reconciler(vertx, redis, scripts, keys, ledger, registry);
    projection = new StockProjection(scripts, keys, reconciler);
    admin = new StockAdmin(pool, redis, ledger, projection, reconciler, keys);
    catalog = new Catalog(clock, CATALOG_MAX_AGE);

    EventBus bus = vertx.eventBus();
    bus.<Object>consumer(INVENTORY_QUOTE, replying(this::quote));
    bus.<Object>consumer(INVENTORY_HOLD, replying(this::hold));
    bus.<Object>consumer(INVENTORY_HOLD_CLAIMED, replying(this::holdClaimed));
    bus.<Object>consumer(INVENTORY_HOLD_STATE, replying(this::holdState));
    bus.<Object>consumer(INVENTORY_COMMIT, replying(this::commit));
    bus.<Object>consumer(INVENTORY_RELEASE, replying(this::release));
    bus.<Object>consumer(INVENTORY_DEDUCT, replying(this::deduct));
    bus.<JsonObject>consumer(INVENTORY_PUT_STORE, replying(message -> catalogChanged(message, admin.putStore(message.body()))));
    bus.<JsonObject>consumer(INVENTORY_PUT_STOCK, replying(message -> catalogChanged(message, admin.putStock(message.body()))));
    bus.<JsonObject>consumer(INVENTORY_CATALOG_CHANGED, message -> catalog.forget(message.body().getString("storeId")));
    bus.<JsonObject>consumer(INVENTORY_ADJUST_STOCK, replying(message -> admin.adjustStock(message.body())));
    bus.<JsonObject>consumer(INVENTORY_GET_STOCK, replying(message ->
      admin.getStock(message.body().getString("storeId"), message.body().getString("sku"))));
    bus.<JsonObject>consumer(INVENTORY_LIST_STOCK, replying(message -> admin.listStock(message.body().getString("storeId"),
      message.body().getInteger("limit", 50), message.body().getString("cursor"))));
    bus.<JsonObject>consumer(INVENTORY_RECONCILE, replying(message -> reconciler.reconcileAll()
      .map(fixed -> new JsonObject().put("corrected", fixed))));

    vertx.setPeriodic(settings.lossCheckInterval().toMillis(), id -> loadIfLost());
    // one member of a cluster reconciles; any member takes over when it is gone
    reconciling = new com.oms.support.Leadership(vertx, "inventory-reconciler");
    reconciling.every(settings.reconcileInterval(), () -> reconciler.reconcileAll()
      .onFailure(failure -> LOG.warn("periodic reconciliation failed, next run retries: {}", failure.getMessage())));
    // Redis may be down at start-up: the service starts anyway and loads the projection once it is back.
    return scripts.preload().compose(v -> reconciler.loadIfLost()).recover(failure -> {
      LOG.warn("inventory projection not checked at start-up ({}); the periodic check will", failure.getMessage());
      return Future.succeededFuture();
    });
  }

  private com.oms.support.Leadership reconciling;

  @Override
  public Future<?> stop() {
    if (reconciling != null) {
      reconciling.resign();
    }
    return Future.succeededFuture();
  }

  private void loadIfLost() {
    reconciler.loadIfLost().onFailure(failure -> LOG.debug("projection check failed: {}", failure.getMessage()));
  }

  /** Prices and store facts from memory when they are known there, else from Postgres (and remembered). */
  private Future<Quote> quote(Message<Object> message) {
    QuoteRequest request = BusMessage.fromJson(message.body(), QuoteRequest.class);
    Quote known = catalog.quote(request.storeId(), request.skus());
    if (known != null) {
      return Future.succeededFuture(known);
    }
    long generation = catalog.generation(request.storeId());
    Tuple params = Tuple.of(request.storeId()).addArrayOfString(request.skus().toArray(String[]::new));
    return pool.preparedQuery(ledger.sql.get("quote")).execute(params).map(rows -> {
      if (rows.size() == 0) {
        throw new Problem(ProblemType.UNKNOWN_STORE, "store '" + request.storeId() + "' does not exist");
      }
      Map<String, Catalog.Price> prices = new HashMap<>();
      Set<String> currencies = new LinkedHashSet<>();
      Row store = rows.iterator().next();
      for (Row row : rows) {
        if (row.getString("sku") != null) {
          prices.put(row.getString("sku"), new Catalog.Price(row.getLong("price_amount"), row.getString("currency")));
          currencies.add(row.getString("currency"));
        }
      }
      Catalog.StoreFacts facts = new Catalog.StoreFacts(store.getDouble("lat"), store.getDouble("lon"),
        store.getLocalTime("opens_at").toString(), store.getLocalTime("closes_at").toString(), store.getString("time_zone"),
        store.getInteger("preparation_minutes"));
      catalog.remember(request.storeId(), generation, facts, prices);
      List<String> unknown = request.skus().stream().filter(sku -> !prices.containsKey(sku)).distinct().toList();
      if (!unknown.isEmpty()) {
        throw new Problem(ProblemType.UNKNOWN_SKU,
          "store '" + request.storeId() + "' does not sell " + String.join(", ", unknown))
          .with("skus", new JsonArray(unknown));
      }
      if (currencies.size() > 1) {
        throw new Problem(ProblemType.MIXED_CURRENCY, "these SKUs are priced in " + currencies);
      }
      Map<String, Long> unitPrices = new HashMap<>();
      prices.forEach((sku, price) -> unitPrices.put(sku, price.amount()));
      return new Quote(request.storeId(), currencies.isEmpty() ? null : currencies.iterator().next(), unitPrices,
        facts.lat(), facts.lon(), facts.opens(), facts.closes(), facts.timeZone(), facts.preparationMinutes());
    });
  }

  /** Once an admin's change of a store or a price is committed, every member's catalog forgets the store. */
  private Future<JsonObject> catalogChanged(Message<JsonObject> message, Future<JsonObject> change) {
    String storeId = message.body().getString("storeId");
    return change.onSuccess(done -> {
      catalog.forget(storeId); // here at once, before the admin hears back
      vertx.eventBus().publish(INVENTORY_CATALOG_CHANGED, new JsonObject().put("storeId", storeId));
    });
  }


  /**
   * The ledger row first, then Redis. If Redis times out, the outcome is unknown: the order is then
   * failed and released by the order domain, and the release (recorded in both) settles it either way.
   */
  private Future<HoldOutcome> hold(Message<Object> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    var expiresAt = ledger.now().plus(settings.holdTtl());
    return ledger.claimHold(command, expiresAt).compose(state -> switch (state) {
      case "HELD" -> projection.apply(Script.HOLD, command, String.valueOf(expiresAt.toInstant().toEpochMilli()))
        .compose(reply -> holdAnswered(command, reply));
      case "RESERVED", "DEDUCTED" -> Future.succeededFuture(new HoldOutcome(true, List.of()));
      default -> Future.failedFuture(new Problem(ProblemType.CONCURRENT_UPDATE,
        "the stock of order " + command.orderId() + " was already released"));
    });
  }

  /**
   * The claim was written with the order (placement), so the ledger already says HELD: Redis at once. A
   * release recorded since then is in Redis as well (release.lua keeps RELEASED, and runs after the
   * ledger's), so this hold is refused there, or released by it.
   */
  private Future<HoldOutcome> holdClaimed(Message<Object> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    var expiresAt = ledger.now().plus(settings.holdTtl());
    return projection.apply(Script.HOLD, command, String.valueOf(expiresAt.toInstant().toEpochMilli()))
      .compose(reply -> holdAnswered(command, reply));
  }

  private Future<JsonObject> holdState(Message<Object> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    return projection.apply(Script.HOLD_STATE, command).map(reply -> new JsonObject().put("state", reply.toString()));
  }

  private Future<HoldOutcome> holdAnswered(StockCommand command, Response reply) {
    switch (InventoryScripts.outcome(reply)) {
      case "HELD":
        return Future.succeededFuture(new HoldOutcome(true, List.of()));
      case "SHORT": {
        List<Shortage> shortages = shortages(command, reply);
        // Postgres first, then Redis: a rebuild in between sees REJECTED and stops counting the hold
        return ledger.rejectHold(command.orderId())
          .compose(v -> projection.apply(Script.REJECT, command))
          .map(v -> new HoldOutcome(false, shortages));
      }
      case "EXISTS": {
        String state = reply.get(1).toString();
        if ("RELEASED".equals(state)) {
          return Future.failedFuture(new Problem(ProblemType.CONCURRENT_UPDATE,
            "the stock of order " + command.orderId() + " was already released"));
        }
        return Future.succeededFuture(new HoldOutcome(true, List.of()));
      }
      default:
        return Future.failedFuture(new IllegalStateException("hold.lua answered " + reply));
    }
  }

  private static List<Shortage> shortages(StockCommand command, Response reply) {
    List<Shortage> shortages = new ArrayList<>();
    for (int i = 1; i + 1 < reply.size(); i += 2) {
      StockLine line = command.lines().get(reply.get(i).toInteger() - 1);
      shortages.add(new Shortage(line.sku(), line.quantity(), reply.get(i + 1).toInteger()));
    }
    return shortages;
  }

  private Future<JsonObject> commit(Message<Object> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    return redisThenLedger(command, Script.COMMIT, "RESERVED",
      () -> ledger.recordCommit(command.orderId()).map("RESERVED"));
  }

  private Future<JsonObject> release(Message<Object> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    return redisThenLedger(command, Script.RELEASE, "RELEASED", () -> ledger.recordRelease(command),
      String.valueOf(FINISHED_HOLD_SECONDS));
  }

  private Future<JsonObject> deduct(Message<Object> message) {
    StockCommand command = BusMessage.fromJson(message.body(), StockCommand.class);
    return redisThenLedger(command, Script.DEDUCT, "DEDUCTED",
      () -> ledger.recordDeduct(command.orderId()).map("DEDUCTED"), String.valueOf(FINISHED_HOLD_SECONDS));
  }

  /**
   * A change Redis decides (it settles a commit racing a release), then records in the ledger. Once
   * recorded, the script runs once more: if Redis lost its data after the first run and was loaded from
   * Postgres before the record landed, the load restored the hold as it was before this change, and only
   * this second run applies it again. Otherwise the record's state already says so and nothing changes.
   * {@code record} answers the ledger's state afterwards, which differs from Redis's only for a release of
   * a hold deducted before Redis lost its data: release.lua found no record and left a RELEASED one.
   */
  private Future<JsonObject> redisThenLedger(StockCommand command, Script script, String changed,
                                             Supplier<Future<String>> record, String... extra) {
    return projection.apply(script, command, extra).compose(reply -> {
      String state = reply.toString();
      if ("MISSING".equals(state)) {
        return closedInLedger(command, state);
      }
      if (!changed.equals(state)) {
        return Future.succeededFuture(stateReply(state));
      }
      return record.get().compose(recorded -> {
        if (!recorded.equals(state)) {
          return projection.markClosed(command, recorded).map(stateReply(recorded));
        }
        return projection.apply(script, command, extra).map(again -> stateReply(state));
      });
    });
  }

  /**
   * Redis has no record of the hold. A load from Postgres brings back only open holds, so a hold deducted
   * or released before Redis lost its data is missing there and closed in the ledger: the ledger's state
   * is the answer, and a repeated pickup report finds its deduction done instead of failing forever.
   */
  private Future<JsonObject> closedInLedger(StockCommand command, String inRedis) {
    return ledger.holdState(command.orderId()).map(recorded ->
      stateReply("DEDUCTED".equals(recorded) || "RELEASED".equals(recorded) ? recorded : inRedis));
  }

  private static JsonObject stateReply(String state) {
    return new JsonObject().put("state", state);
  }
}
