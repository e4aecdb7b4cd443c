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
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the Redis projection of a store equal to Postgres: when Redis is found empty, when a script finds
 * its store not loaded, and on a timer. Each store is read from Postgres in one statement and written to
 * Redis by one script, fenced by the store's operation counter: if any operation ran in Redis since the
 * counter was read, the script changes nothing and the reconciler reads again. Since Postgres never knows
 * less than Redis holds, a projection rebuilt this way can under-sell for a moment, never oversell.
 */
final class Reconciler {

  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  private static final int MAX_ATTEMPTS = 20;

  private final Vertx vertx;
  private final Redis redis;
  private final InventoryScripts scripts;
  private final InventoryKeys keys;
  private final StockLedger ledger;
  private final Map<String, Counter> drift = new HashMap<>();
  private final Counter reconciliations;
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
        .description("Redis figures found different from Postgres and corrected")
        .tag("field", field)
        .register(registry));
    }
    this.reconciliations = Counter.builder("oms.inventory.reconciliations")
      .description("Stores reconciled from Postgres into Redis")
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

  /** Verifies and repairs every store; answers the number of figures corrected. */
  Future<Integer> reconcileAll() {
    return ledger.stores().compose(stores -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (String store : stores) {
        chain = chain.compose(total -> reconcile(store).map(fixed -> total + fixed));
      }
      return chain;
    });
  }

  /** Reconciles one store; concurrent requests for the same store share one run. */
  Future<Integer> reconcile(String storeId) {
    Future<Integer> running = inFlight.get(storeId);
    if (running != null) {
      return running;
    }
    Future<Integer> run = attempt(storeId, 1).andThen(ar -> inFlight.remove(storeId));
    if (!run.isComplete()) {
      inFlight.put(storeId, run);
    }
    return run;
  }

  private Future<Integer> attempt(String storeId, int attempt) {
    return redis.send(Request.cmd(Command.GET).arg(keys.ops(storeId))).compose(fence -> {
      String expected = fence == null ? "" : fence.toString();
      return ledger.snapshot(storeId).compose(snapshot -> apply(storeId, expected, snapshot));
    }).compose(result -> {
      if (result != null) {
        return Future.succeededFuture(result);
      }
      if (attempt >= MAX_ATTEMPTS) {
        return Future.failedFuture(new IllegalStateException("store " + storeId + " kept changing; reconciliation deferred"));
      }
      // operations ran meanwhile: read again shortly
      Promise<Integer> retry = Promise.promise();
      vertx.setTimer(Math.min(2L * attempt, 50), id -> attempt(storeId, attempt + 1).onComplete(retry));
      return retry.future();
    });
  }

  /** Answers the number of corrected figures, or null when the fence said Redis moved. */
  private Future<Integer> apply(String storeId, String fence, Snapshot snapshot) {
    List<String> skus = new ArrayList<>(snapshot.onHand().keySet());
    Map<String, Integer> index = new HashMap<>();
    List<String> scriptKeys = new ArrayList<>();
    List<String> args = new ArrayList<>();
    scriptKeys.add(keys.ops(storeId));
    args.add(fence);
    args.add(String.valueOf(skus.size()));
    for (int i = 0; i < skus.size(); i++) {
      index.put(skus.get(i), i + 1);
      scriptKeys.add(keys.stock(storeId, skus.get(i)));
      args.add(String.valueOf(snapshot.onHand().get(skus.get(i))));
    }
    for (OpenHold hold : snapshot.holds()) {
      scriptKeys.add(keys.hold(storeId, hold.orderId()));
      List<String> lines = new ArrayList<>();
      for (int l = 0; l < hold.lines().size(); l++) {
        JsonObject line = hold.lines().getJsonObject(l);
        Integer sku = index.get(line.getString("sku"));
        if (sku != null) {
          lines.add(String.valueOf(sku));
          lines.add(String.valueOf(line.getInteger("quantity")));
        }
      }
      args.add(hold.state());
      args.add(String.valueOf(lines.size() / 2));
      args.addAll(lines);
    }
    return scripts.run(Script.RECONCILE, scriptKeys, args).map(reply -> {
      if ("BUSY".equals(InventoryScripts.outcome(reply))) {
        return null;
      }
      reconciliations.increment();
      return report(storeId, skus, reply);
    });
  }

  private int report(String storeId, List<String> skus, Response reply) {
    int corrections = (reply.size() - 1) / 4;
    if (corrections == 0) {
      return 0;
    }
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
    LOG.warn("inventory drift fixed in store {}: {} figures differed from Postgres (e.g. {})", storeId, corrections,
      String.join(", ", examples));
    return corrections;
  }
}
