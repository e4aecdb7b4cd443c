package com.oms.inventory;

/**
 * Redis keys of the inventory projection. Every key of one store carries the store in a hash tag, so all
 * keys one order touches share a cluster slot and each script stays atomic on a sharded Redis.
 */
public final class InventoryKeys {

  private final String prefix;

  public InventoryKeys(String keyPrefix) {
    this.prefix = keyPrefix + ":inventory:v1:";
  }

  /**
   * Counts the operations applied to a store: the reconciler's fence. Its existence also says the store
   * is loaded; after Redis lost its data it is missing, and every script answers NOSTOCK until the store
   * is loaded again from Postgres.
   */
  String ops(String storeId) {
    return prefix + "{" + storeId + "}:ops";
  }

  /** The token of the loader currently loading a store: only the latest loader writes. */
  String loading(String storeId) {
    return prefix + "{" + storeId + "}:loading";
  }

  public String stock(String storeId, String sku) {
    return prefix + "{" + storeId + "}:stock:" + sku;
  }

  String hold(String storeId, String orderId) {
    return prefix + "{" + storeId + "}:hold:" + orderId;
  }

  /** Set once Redis holds a full load; missing means Redis restarted empty or was flushed. */
  String loadedMarker() {
    return prefix + "loaded";
  }
}
