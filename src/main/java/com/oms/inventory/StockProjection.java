package com.oms.inventory;

import com.oms.bus.Problem;
import com.oms.bus.StockCommand;
import com.oms.inventory.InventoryScripts.Script;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis side of stock: runs an operation's script over all keys of the order at once. A script that
 * finds its store not loaded (Redis lost its data) changes nothing; the store is then loaded from
 * Postgres and the operation runs again.
 */
final class StockProjection {

  private final InventoryScripts scripts;
  private final InventoryKeys keys;
  private final Reconciler reconciler;

  StockProjection(InventoryScripts scripts, InventoryKeys keys, Reconciler reconciler) {
    this.scripts = scripts;
    this.keys = keys;
    this.reconciler = reconciler;
  }

  /** Runs {@code script} for the order's lines; {@code extra} follows the per-line quantities in ARGV. */
  Future<Response> apply(Script script, StockCommand command, String... extra) {
    List<String> args = new ArrayList<>(quantities(command));
    args.addAll(List.of(extra));
    return runLoaded(command.storeId(), script, scriptKeys(command), args);
  }

  /** The store's ops counter, the order's hold record, then one stock hash per line. */
  List<String> scriptKeys(StockCommand command) {
    List<String> scriptKeys = new ArrayList<>(command.lines().size() + 2);
    scriptKeys.add(keys.ops(command.storeId()));
    scriptKeys.add(keys.hold(command.storeId(), command.orderId()));
    command.lines().forEach(line -> scriptKeys.add(keys.stock(command.storeId(), line.sku())));
    return scriptKeys;
  }

  List<String> quantities(StockCommand command) {
    return command.lines().stream().map(line -> String.valueOf(line.quantity())).toList();
  }

  /** Makes the order's RELEASED hold record say {@code ledgerState}, the way the ledger closed it. */
  Future<Response> markClosed(StockCommand command, String ledgerState) {
    return scripts.run(Script.MARK_CLOSED, List.of(keys.hold(command.storeId(), command.orderId())), List.of(ledgerState));
  }

  /** Sets ({@code SET}) or changes ({@code ADD}) one SKU's on-hand quantity. */
  Future<Response> changeOnHand(String storeId, String sku, String mode, long value) {
    return runLoaded(storeId, Script.SET_STOCK, List.of(keys.ops(storeId), keys.stock(storeId, sku)),
      List.of(mode, String.valueOf(value)));
  }

  private Future<Response> runLoaded(String storeId, Script script, List<String> scriptKeys, List<String> args) {
    return scripts.run(script, scriptKeys, args).compose(reply -> {
      if (!"NOSTOCK".equals(InventoryScripts.outcome(reply))) {
        return Future.succeededFuture(reply);
      }
      return reconciler.reconcile(storeId)
        .compose(loaded -> scripts.run(script, scriptKeys, args))
        .compose(again -> "NOSTOCK".equals(InventoryScripts.outcome(again))
          ? Future.failedFuture(Problem.unavailable("the stock of store " + storeId + " is being reloaded"))
          : Future.succeededFuture(again));
    });
  }
}
