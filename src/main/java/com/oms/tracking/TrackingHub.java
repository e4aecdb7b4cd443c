package com.oms.tracking;

import com.oms.bus.Addresses;
import com.oms.bus.BusMessage;
import com.oms.bus.OrderStatusChanged;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fans order events out to the live feeds watching them: one event bus subscription per node, however
 * many connections, and no database query per event. With a clustered event bus, events published on
 * any node reach the watchers on every node.
 */
public final class TrackingHub {

  /** A live feed that wants an order's events. */
  interface Watcher {
    void deliver(JsonObject message);
  }

  private final Map<String, Set<Watcher>> watchers = new ConcurrentHashMap<>();
  private final List<MessageConsumer<?>> consumers = new CopyOnWriteArrayList<>();

  public void start(Vertx vertx) {
    consumers.add(vertx.eventBus().consumer(Addresses.ORDER_STATUS_CHANGED, m -> {
      OrderStatusChanged event = BusMessage.fromJson(m.body(), OrderStatusChanged.class);
      if (watchers.containsKey(event.orderId())) {
        fanOut(event.orderId(), OrderFeed.statusMessage(event));
      }
    }));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DELIVERY_PARTNER_MOVED, m -> {
      JsonObject moved = m.body();
      fanOut(moved.getString("orderId"), new JsonObject()
        .put("type", "location")
        .put("partnerId", moved.getString("partnerId"))
        .put("lat", moved.getDouble("lat"))
        .put("lon", moved.getDouble("lon"))
        .put("at", moved.getString("at")));
    }));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.ORDER_NOTICE, m -> {
      JsonObject notice = m.body();
      fanOut(notice.getString("orderId"), new JsonObject()
        .put("type", "notice")
        .put("kind", notice.getString("kind"))
        .put("message", notice.getString("message"))
        .put("at", notice.getString("at")));
    }));
  }

  public void stop() {
    consumers.forEach(MessageConsumer::unregister);
    consumers.clear();
  }

  void watch(String orderId, Watcher watcher) {
    watchers.computeIfAbsent(orderId, id -> ConcurrentHashMap.newKeySet()).add(watcher);
  }

  void unwatch(String orderId, Watcher watcher) {
    watchers.computeIfPresent(orderId, (id, set) -> {
      set.remove(watcher);
      return set.isEmpty() ? null : set;
    });
  }

  /** Connections currently watching, across all orders. */
  public int watching() {
    return watchers.values().stream().mapToInt(Set::size).sum();
  }

  private void fanOut(String orderId, JsonObject message) {
    Set<Watcher> set = watchers.get(orderId);
    if (set != null) {
      set.forEach(watcher -> watcher.deliver(message));
    }
  }
}
