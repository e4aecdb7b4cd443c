package com.oms.inventory;

/**
 * Redis keys of the inventory projection. Every key of one store carries the store in a hash tag, so all
 * keys one order touches share a cluster slot and each script stays atomic on a sharded Redis.
 */
final class InventoryKeys {

  private final String prefix;

  InventoryKeys(String keyPrefix) {
    this.prefix = keyPrefix + ":inventory:v1:";
  }

  String stock(String storeId, String sku) {
    return prefix + "{" + storeId + "}:stock:" + sku;
  }

  String hold(String storeId, String orderId) {
    return prefix + "{" + storeId + "}:hold:" + orderId;
  }
}
