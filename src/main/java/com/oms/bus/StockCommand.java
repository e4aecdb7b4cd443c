package com.oms.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Hold, commit, release or deduct the lines of one order. Always the full lines, so inventory can act
 * on every SKU key atomically even when its own record of the order is gone. Mapped by hand: it is on
 * the hot path of every order (when a cluster member sends it; within one instance the record itself travels).
 */
public record StockCommand(String orderId, String storeId, List<StockLine> lines) implements BusMessage {

  @Override
  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(lines.size()));
    for (StockLine line : lines) {
      array.add(new JsonObject().put("sku", line.sku()).put("quantity", line.quantity()));
    }
    return new JsonObject().put("orderId", orderId).put("storeId", storeId).put("lines", array);
  }

  /** The command a message carries: the record itself, or one read from its JSON. */
  public static StockCommand from(Object body) {
    return body instanceof StockCommand command ? command : fromJson((JsonObject) body);
  }

  public static StockCommand fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("lines");
    List<StockLine> lines = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject line = array.getJsonObject(i);
      lines.add(new StockLine(line.getString("sku"), line.getInteger("quantity")));
    }
    return new StockCommand(json.getString("orderId"), json.getString("storeId"), lines);
  }
}
