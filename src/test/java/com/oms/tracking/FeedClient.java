package com.oms.tracking;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A test client of the tracking feed: keeps every message and the close code. */
public final class FeedClient {

  final List<JsonObject> messages = new CopyOnWriteArrayList<>();
  private WebSocketClient wsClient;
  final Promise<Short> closed = Promise.promise();
  WebSocket socket;
  private final Vertx vertx;

  private FeedClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<FeedClient> connect(Vertx vertx, int port, String path, String token, String origin) {
    FeedClient client = new FeedClient(vertx);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    // held by the FeedClient: Vert.x closes a client that becomes unreachable, even mid-handshake
    client.wsClient = vertx.createWebSocketClient();
    return client.wsClient.connect(options).map(socket -> {
      client.socket = socket;
      try {
        socket.textMessageHandler(text -> client.messages.add(new JsonObject(text)));
        socket.closeHandler(v -> client.closed.tryComplete(socket.closeStatusCode()));
      } catch (IllegalStateException closedAlready) {
        // a refusal (close 1008 right after the handshake) can arrive before this callback runs; then no
        // handler may be set and the close handler would never be called: the code is read below instead
      }
      if (socket.isClosed()) {
        client.closed.tryComplete(socket.closeStatusCode());
      }
      return client;
    });
  }

  /** Waits (on the event loop, no thread blocked) until a message matches. */
  public Future<JsonObject> await(Predicate<JsonObject> match, Duration deadline) {
    Promise<JsonObject> found = Promise.promise();
    long giveUp = System.nanoTime() + deadline.toNanos();
    check(match, found, giveUp);
    return found.future();
  }

  private void check(Predicate<JsonObject> match, Promise<JsonObject> found, long giveUp) {
    for (JsonObject message : messages) {
      if (match.test(message)) {
        found.tryComplete(message);
        return;
      }
    }
    if (System.nanoTime() > giveUp) {
      found.tryFail(new AssertionError("no matching message; got " + messages));
      return;
    }
    vertx.setTimer(20, id -> check(match, found, giveUp));
  }

  List<Integer> statusSeqs() {
    return messages.stream().filter(m -> "status".equals(m.getString("type"))).map(m -> m.getInteger("seq")).toList();
  }

  Future<Void> close() {
    return socket.close();
  }
}
