package com.oms.inventory;

import com.oms.inventory.InventoryScripts.Script;
import com.oms.inventory.StockLedger.OpenHold;
import com.oms.inventory.StockLedger.Snapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Redis projection equal to Postgres.
 *
 * <p><b>Load</b>, when a store is not in Redis (first start, restart without data, FLUSHALL): the store is
 * read from Postgres in one statement and written in chunks while the stock scripts still answer
 * NOSTOCK, then activated at once. A hold Postgres has as HELD is counted as held and recorded PENDING,
 * since Postgres cannot tell a hold Redis lost from one whose script has not run yet; hold.lua decides a
 * PENDING hold when it runs. So a load in the middle of a burst can briefly under-sell, never oversell.
 *
 * <p><b>Verify</b>, every reconcile interval for loaded stores: each SKU's three figures in Redis are
 * compared with Postgres. An operation in flight has reached one store and not yet the other (a claim
 * Redis has not been asked about, a commit Redis applied and Postgres has not recorded), however long it
 * takes; so where figures differ, the state of each open hold of those SKUs is compared as well, and a
 * SKU of a hold whose two states disagree is left alone. A SKU is corrected only if it differs the same
 * way twice, half a second apart, and no stock script ran since the second read (the store's operation
 * counter is the fence). Corrections are counted and logged.
 */
final class Reconciler {

  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  private static final int CHUNK = 500;
  private static final long SECOND_LOOK_MS = 500;

  private final Vertx vertx;
  private final Redis redis;
  private final InventoryScripts scripts;
  private final InventoryKeys keys;
  private final StockLedger ledger;
  private final Map<String, Counter> drift = new HashMap<>();
  private final Counter loads;
  private final Map<String, Future<Integer>> inFlight = new HashMap<>();

  Reconciler(Vertx vertx, Redis redis, InventoryScripts scripts, InventoryKeys keys, StockLedger ledger,
             MeterRegistry registry) {
    this.vertx = vertx;
    this.redis = redis;
    this.scripts = scripts;
    this.keys = keys;
    this.ledger = ledger;
    for (String field : new String[] {"onHand", "held", "reserved"}) {
      drift.put(field, Counter.builder("oms.inventory.drift")
        .description("Redis figures found different from Postgres (twice in a row) and corrected")
        .tag("field", field)
        .register(registry));
    }
    this.loads = Counter.builder("oms.inventory.loads")
      .description("Stores loaded from Postgres into Redis because Redis did not have them")
      .register(registry);
  }

  /** Loads every store when Redis has lost its data (or never had it); cheap when it has not. */
  Future<Boolean> loadIfLost() {
    return redis.send(Request.cmd(Command.EXISTS).arg(keys.loadedMarker())).compose(exists -> {
      if (exists.toInteger() == 1) {
        return Future.succeededFuture(false);
      }
      LOG.warn("inventory projection missing from Redis (first start, restart without data, or flush): loading from Postgres");
      return reconcileAll()
        .compose(count -> redis.send(Request.cmd(Command.SET).arg(keys.loadedMarker()).arg("1")))
        .map(true);
    });
  }

  /** Loads or verifies every store; answers the number of figures corrected in loaded stores. */
  Future<Integer> reconcileAll() {
    return ledger.stores().compose(stores -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (String store : stores) {
        chain = chain.compose(total -> reconcile(store).map(fixed -> total + fixed));
      }
      return chain;
    });
  }

  /** Loads the store into Redis unless it is there already; cheaper than {@link #reconcile}, which also verifies. */
  Future<Void> ensureLoaded(String storeId) {
    return redis.send(Request.cmd(Command.EXISTS).arg(keys.ops(storeId)))
      .compose(exists -> exists.toInteger() == 1 ? Future.succeededFuture() : reconcile(storeId).mapEmpty());
  }

  /** Loads the store if Redis lacks it, else verifies it. Concurrent calls for one store share one run. */
  Future<Integer> reconcile(String storeId) {
    Future<Integer> running = inFlight.get(storeId);
    if (running != null) {
      return running;
    }
    Future<Integer> run = redis.send(Request.cmd(Command.EXISTS).arg(keys.ops(storeId)))
      .compose(loaded -> loaded.toInteger() == 1 ? verify(storeId) : load(storeId).map(0))
      .andThen(ar -> inFlight.remove(storeId));
    if (!run.isComplete()) {
      inFlight.put(storeId, run);
    }
    return run;
  }

  // load --------------------------------------------------------------------------------------------

  private Future<Void> load(String storeId) {
    String token = UUID.randomUUID().toString();
    return redis.send(Request.cmd(Command.SET).arg(keys.loading(storeId)).arg(token))
      .compose(v -> ledger.snapshot(storeId))
      .compose(snapshot -> writeChunks(storeId, token, snapshot).compose(written -> !written
        ? Future.succeededFuture()
        : scripts.run(Script.ACTIVATE, List.of(keys.ops(storeId), keys.loading(storeId)), List.of(token))
          .map(reply -> {
            if ("OK".equals(reply.toString())) {
              loads.increment();
              LOG.info("inventory of store {} loaded into Redis: {} SKUs, {} open holds", storeId,
                snapshot.onHand().size(), snapshot.holds().size());
            }
            return null;
          })));
  }

  /** Answers false when another loader took over (or the store got loaded meanwhile). */
  private Future<Boolean> writeChunks(String storeId, String token, Snapshot snapshot) {
    Map<String, long[]> figures = figures(snapshot);
    List<String> holdKeys = new ArrayList<>();
    List<String> holdStates = new ArrayList<>();
    for (OpenHold hold : snapshot.holds()) {
      holdKeys.add(keys.hold(storeId, hold.orderId()));
      holdStates.add("HELD".equals(hold.state()) ? "PENDING" : "RESERVED");
    }
    List<String> skus = new ArrayList<>(figures.keySet());
    Future<Boolean> chain = Future.succeededFuture(true);
    for (int from = 0; from < skus.size(); from += CHUNK) {
      List<String> part = skus.subList(from, Math.min(skus.size(), from + CHUNK));
      chain = chain.compose(go -> !go ? Future.succeededFuture(false) : chunk(storeId, token, "STOCK",
        part.stream().map(sku -> keys.stock(storeId, sku)).toList(),
        part.stream().flatMap(sku -> java.util.Arrays.stream(figures.get(sku)).mapToObj(String::valueOf)).toList()));
    }
    for (int from = 0; from < holdKeys.size(); from += CHUNK) {
      int start = from;
      int end = Math.min(holdKeys.size(), from + CHUNK);
      chain = chain.compose(go -> !go ? Future.succeededFuture(false)
        : chunk(storeId, token, "HOLDS", holdKeys.subList(start, end), holdStates.subList(start, end)));
    }
    return chain;
  }

  private Future<Boolean> chunk(String storeId, String token, String kind, List<String> chunkKeys, List<String> values) {
    List<String> scriptKeys = new ArrayList<>(chunkKeys.size() + 2);
    scriptKeys.add(keys.ops(storeId));
    scriptKeys.add(keys.loading(storeId));
    scriptKeys.addAll(chunkKeys);
    List<String> args = new ArrayList<>(values.size() + 2);
    args.add(token);
    args.add(kind);
    args.addAll(values);
    return scripts.run(Script.LOAD_CHUNK, scriptKeys, args).map(reply -> "OK".equals(reply.toString()));
  }

  // verify ------------------------------------------------------------------------------------------

  /** Both stores' figures per SKU, and the SKUs of holds that one store has changed and the other not yet. */
  private record Look(String fence, Map<String, long[]> redis, Map<String, long[]> postgres, Set<String> inFlight) {

    Map<String, long[]> differing() {
      Map<String, long[]> differing = new LinkedHashMap<>();
      postgres.forEach((sku, expected) -> {
        if (!inFlight.contains(sku) && !java.util.Arrays.equals(expected, redis.get(sku))) {
          differing.put(sku, expected);
        }
      });
      return differing;
    }
  }

  private Future<Integer> verify(String storeId) {
    return look(storeId).compose(first -> {
      Map<String, long[]> suspects = first.differing();
      if (suspects.isEmpty()) {
        return Future.succeededFuture(0);
      }
      Promise<Look> later = Promise.promise();
      vertx.setTimer(SECOND_LOOK_MS, id -> look(storeId).onComplete(later));
      return later.future().compose(second -> {
        Map<String, long[]> confirmed = new LinkedHashMap<>();
        second.differing().forEach((sku, expected) -> {
          if (suspects.containsKey(sku) && java.util.Arrays.equals(suspects.get(sku), expected)
            && java.util.Arrays.equals(first.redis().get(sku), second.redis().get(sku))) {
            confirmed.put(sku, expected);
          }
        });
        return confirmed.isEmpty() ? Future.succeededFuture(0) : fix(storeId, second.fence(), confirmed);
      });
    });
  }

  /**
   * The fence, then Postgres, then Redis: anything Redis did after the fence moves it, so a fix at an
   * unmoved fence acts on exactly what was read. Where figures differ, Postgres is read again for those
   * SKUs together with their open holds (one statement, one instant), and the holds' records in Redis.
   */
  private Future<Look> look(String storeId) {
    return redis.send(Request.cmd(Command.GET).arg(keys.ops(storeId))).compose(fence ->
      ledger.figures(storeId).compose(postgres -> redisFigures(storeId, new ArrayList<>(postgres.keySet()))
        .compose(inRedis -> {
          String fenceValue = fence == null ? null : fence.toString();
          Look figuresOnly = new Look(fenceValue, inRedis, postgres, Set.of());
          Set<String> differing = figuresOnly.differing().keySet();
          if (differing.isEmpty()) {
            return Future.succeededFuture(figuresOnly);
          }
          return ledger.snapshot(storeId, differing).compose(snapshot -> {
            Map<String, long[]> closer = new LinkedHashMap<>(postgres);
            closer.putAll(figures(snapshot));
            return skusInFlight(storeId, snapshot.holds())
              .map(inFlight -> new Look(fenceValue, inRedis, closer, inFlight));
          });
        })));
  }

  /** Per SKU: {onHand, held, reserved} as Postgres has them. */
  private static Map<String, long[]> figures(Snapshot snapshot) {
    Map<String, long[]> figures = new LinkedHashMap<>();
    snapshot.onHand().forEach((sku, onHand) -> figures.put(sku, new long[] {onHand, 0, 0}));
    for (OpenHold hold : snapshot.holds()) {
      int field = "HELD".equals(hold.state()) ? 1 : 2;
      for (int l = 0; l < hold.lines().size(); l++) {
        JsonObject line = hold.lines().getJsonObject(l);
        long[] sku = figures.get(line.getString("sku"));
        if (sku != null) {
          sku[field] += line.getInteger("quantity");
        }
      }
    }
    return figures;
  }

  /** The SKUs of the open holds whose record in Redis says something else than Postgres. */
  private Future<Set<String>> skusInFlight(String storeId, List<OpenHold> holds) {
    Set<String> inFlight = new HashSet<>();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < holds.size(); from += CHUNK) {
      List<OpenHold> part = holds.subList(from, Math.min(holds.size(), from + CHUNK));
      chain = chain.compose(v -> redis.batch(part.stream()
        .map(hold -> Request.cmd(Command.HGET).arg(keys.hold(storeId, hold.orderId())).arg("state"))
        .toList()).map(states -> {
          for (int i = 0; i < part.size(); i++) {
            OpenHold hold = part.get(i);
            if (!agree(hold.state(), states.get(i) == null ? null : states.get(i).toString())) {
              hold.lines().forEach(line -> inFlight.add(((JsonObject) line).getString("sku")));
            }
          }
          return null;
        }));
    }
    return chain.map(inFlight);
  }

  /** PENDING is a hold a load counted as held, waiting for its own hold script to confirm it. */
  private static boolean agree(String inPostgres, String inRedis) {
    return "HELD".equals(inPostgres)
      ? "HELD".equals(inRedis) || "PENDING".equals(inRedis)
      : inPostgres.equals(inRedis);
  }

  private Future<Map<String, long[]>> redisFigures(String storeId, List<String> skus) {
    Map<String, long[]> figures = new HashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < skus.size(); from += CHUNK) {
      List<String> part = skus.subList(from, Math.min(skus.size(), from + CHUNK));
      chain = chain.compose(v -> redis.batch(part.stream()
        .map(sku -> Request.cmd(Command.HMGET).arg(keys.stock(storeId, sku)).arg("onHand").arg("held").arg("reserved"))
        .toList()).map(replies -> {
          for (int i = 0; i < part.size(); i++) {
            Response r = replies.get(i);
            figures.put(part.get(i), new long[] {value(r.get(0)), value(r.get(1)), value(r.get(2))});
          }
          return null;
        }));
    }
    return chain.map(figures);
  }

  private Future<Integer> fix(String storeId, String fence, Map<String, long[]> confirmed) {
    List<String> skus = new ArrayList<>(confirmed.keySet());
    List<String> scriptKeys = new ArrayList<>();
    List<String> args = new ArrayList<>();
    scriptKeys.add(keys.ops(storeId));
    args.add(Objects.requireNonNullElse(fence, ""));
    for (String sku : skus) {
      scriptKeys.add(keys.stock(storeId, sku));
      for (long figure : confirmed.get(sku)) {
        args.add(String.valueOf(figure));
      }
    }
    return scripts.run(Script.FIX_COUNTERS, scriptKeys, args)
      .map(reply -> "BUSY".equals(InventoryScripts.outcome(reply)) ? 0 : report(storeId, skus, reply));
  }

  private int report(String storeId, List<String> skus, Response reply) {
    int corrections = (reply.size() - 1) / 4;
    List<String> examples = new ArrayList<>();
    for (int i = 1; i + 3 < reply.size(); i += 4) {
      String sku = skus.get(reply.get(i).toInteger() - 1);
      String field = reply.get(i + 1).toString();
      long was = reply.get(i + 2).toLong();
      drift.get(field).increment();
      if (examples.size() < 5) {
        examples.add(sku + " " + field + " " + (was < 0 ? "missing" : String.valueOf(was)) + " -> " + reply.get(i + 3));
      }
    }
    if (corrections > 0) {
      LOG.warn("inventory drift fixed in store {}: {} figures differed from Postgres (e.g. {})", storeId, corrections,
        String.join(", ", examples));
    }
    return corrections;
  }

  private static long value(Response response) {
    return response == null ? -1 : response.toLong();
  }
}
