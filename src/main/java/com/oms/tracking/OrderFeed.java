package com.oms.tracking;

import com.oms.bus.Addresses;
import com.oms.bus.Caller;
import com.oms.bus.OrderStatusChanged;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One customer's live view of one order over a WebSocket. It first sends a snapshot (or, when resuming,
 * every status event after the client's last sequence number, from the durable history), then live
 * events. Status events carry the order's sequence number and are sent in order without gaps or repeats:
 * live events arriving meanwhile are held back, and a gap is filled from the history. A slow client's
 * location updates are coalesced to the latest; a client whose queue stays full is disconnected; an
 * idle connection is pinged and closed when it no longer answers.
 */
final class OrderFeed implements TrackingHub.Watcher {

  static final short POLICY_VIOLATION = 1008;
  static final short TRY_AGAIN_LATER = 1013;
  static final short GOING_AWAY = 1001;

  record Settings(int writeQueueMaxBytes, Duration slowClientTimeout, Duration pingInterval, Duration requestTimeout) {
  }

  private final Vertx vertx;
  private final Context context;
  private final ServerWebSocket ws;
  private final TrackingHub hub;
  private final Caller caller;
  private final String orderId;
  private final Settings settings;
  private final Clock clock;
  private final List<JsonObject> heldBack = new ArrayList<>();
  private boolean live;
  private boolean closed;
  private int lastSeq;
  private JsonObject pendingLocation;
  private long slowTimer = -1;
  private long pingTimer = -1;
  private long lastPong;

  OrderFeed(Vertx vertx, ServerWebSocket ws, TrackingHub hub, Caller caller, String orderId, Settings settings, Clock clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.ws = ws;
    this.hub = hub;
    this.caller = caller;
    this.orderId = orderId;
    this.settings = settings;
    this.clock = clock;
  }

  /** Starts the feed; {@code after} is the last sequence number the client has, or null for a snapshot. */
  void start(Integer after) {
    ws.setWriteQueueMaxSize(settings.writeQueueMaxBytes());
    ws.closeHandler(v -> stop());
    ws.drainHandler(v -> drained());
    ws.pongHandler(pong -> lastPong = System.nanoTime());
    ws.textMessageHandler(text -> { });
    lastPong = System.nanoTime();
    pingTimer = vertx.setPeriodic(settings.pingInterval().toMillis(), id -> ping());
    // watch first, then read: whatever happens in between is held back, not lost
    hub.watch(orderId, this);
    JsonObject query = new JsonObject().put("caller", caller.toJson()).put("orderId", orderId);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(settings.requestTimeout().toMillis());
    vertx.eventBus().<JsonObject>request(Addresses.ORDER_GET, query, options).map(m -> m.body())
      .compose(order -> after == null
        ? Future.succeededFuture(snapshot(order))
        : history(after).map(events -> resume(order, after, events)))
      .onSuccess(v -> goLive())
      .onFailure(failure -> close(POLICY_VIOLATION, "no such order, or not yours"));
  }

  private JsonObject snapshot(JsonObject order) {
    lastSeq = order.getInteger("version");
    send(new JsonObject().put("type", "snapshot").put("seq", lastSeq).put("order", order).put("at", now()));
    return order;
  }

  private JsonObject resume(JsonObject order, int after, JsonArray events) {
    lastSeq = after;
    for (int i = 0; i < events.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      if (event.getInteger("seq") > lastSeq) {
        sendStatus(statusMessage(event));
      }
    }
    return order;
  }

  private Future<JsonArray> history(int after) {
    JsonObject query = new JsonObject().put("caller", caller.toJson()).put("orderId", orderId);
    return vertx.eventBus().<JsonObject>request(Addresses.ORDER_EVENTS, query,
        new DeliveryOptions().setSendTimeout(settings.requestTimeout().toMillis()))
      .map(m -> m.body().getJsonArray("events"));
  }

  /** The feed's wire shape of a status change from the live bus event. */
  static JsonObject statusMessage(OrderStatusChanged event) {
    return new JsonObject()
      .put("type", "status")
      .put("seq", event.seq())
      .put("from", event.from())
      .put("to", event.to())
      .put("reason", event.reason())
      .put("actor", event.actor())
      .put("at", event.at());
  }

  /** The same shape from a history event. */
  static JsonObject statusMessage(JsonObject event) {
    return new JsonObject()
      .put("type", "status")
      .put("seq", event.getInteger("seq"))
      .put("from", event.getString("from"))
      .put("to", event.getString("to"))
      .put("reason", event.getString("reason"))
      .put("actor", event.getString("actor"))
      .put("at", event.getString("at"));
  }

  private void goLive() {
    live = true;
    List<JsonObject> held = new ArrayList<>(heldBack);
    heldBack.clear();
    held.forEach(this::onEvent);
  }

  /** Called by the hub, on whatever thread: hop to this connection's event loop. */
  @Override
  public void deliver(JsonObject message) {
    context.runOnContext(v -> onEvent(message));
  }

  private void onEvent(JsonObject message) {
    if (closed) {
      return;
    }
    if (!live) {
      heldBack.add(message);
      return;
    }
    switch (message.getString("type")) {
      case "status" -> {
        int seq = message.getInteger("seq");
        if (seq <= lastSeq) {
          return;
        }
        if (seq > lastSeq + 1) {
          fillGap(message);
        } else {
          sendStatus(message);
        }
      }
      case "location" -> {
        if (ws.writeQueueFull()) {
          pendingLocation = message; // a slow client gets the latest position, not every one
        } else {
          send(message.copy().put("seq", lastSeq));
        }
      }
      default -> send(message.copy().put("seq", lastSeq));
    }
  }

  /** A status event arrived ahead of one not seen here (another node, a lost message): read the history. */
  private void fillGap(JsonObject ahead) {
    live = false;
    heldBack.add(ahead);
    history(lastSeq).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().forEach(e -> {
          JsonObject event = (JsonObject) e;
          if (event.getInteger("seq") > lastSeq) {
            sendStatus(statusMessage(event));
          }
        });
      }
      goLive();
    });
  }

  private void sendStatus(JsonObject message) {
    lastSeq = message.getInteger("seq");
    send(message);
  }

  private void send(JsonObject message) {
    if (closed) {
      return;
    }
    ws.writeTextMessage(message.encode());
    if (ws.writeQueueFull() && slowTimer < 0) {
      slowTimer = vertx.setTimer(settings.slowClientTimeout().toMillis(), id -> {
        slowTimer = -1;
        if (ws.writeQueueFull()) {
          close(TRY_AGAIN_LATER, "client too slow: its queue stayed full");
        }
      });
    }
  }

  private void drained() {
    if (slowTimer >= 0) {
      vertx.cancelTimer(slowTimer);
      slowTimer = -1;
    }
    if (pendingLocation != null) {
      JsonObject latest = pendingLocation;
      pendingLocation = null;
      send(latest.copy().put("seq", lastSeq));
    }
  }

  private void ping() {
    if (System.nanoTime() - lastPong > settings.pingInterval().toNanos() * 2) {
      close(GOING_AWAY, "no answer to ping");
      return;
    }
    ws.writePing(io.vertx.core.buffer.Buffer.buffer("ping"));
  }

  private void close(short code, String reason) {
    if (!closed) {
      closed = true;
      ws.close(code, reason);
      stop();
    }
  }

  private void stop() {
    closed = true;
    hub.unwatch(orderId, this);
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    if (slowTimer >= 0) {
      vertx.cancelTimer(slowTimer);
    }
  }

  private String now() {
    return clock.instant().toString();
  }
}
