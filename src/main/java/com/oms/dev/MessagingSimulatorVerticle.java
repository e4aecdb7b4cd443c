package com.oms.dev;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stand-in for an SMS provider ({@code POST /v1/sms}) and a push provider ({@code POST /v1/push}),
 * over real HTTP on its own port. Like real providers it drops a repeat of an Idempotency-Key, so one
 * message is delivered however often it is sent. Tests can take it down, slow it down, and read what it
 * delivered. Dev and test tool only: state in memory, one instance, the most recent {@code remember}
 * messages (a repeat of an older one's key is delivered again). The load world remembers none: at
 * hundreds of orders per second, keeping every message made the load generator's young collections copy
 * them, pauses of 10-55 ms that showed up as the service's latency.
 */
public final class MessagingSimulatorVerticle extends VerticleBase {

  private final int port;
  private final String apiKey;
  private final int remember;
  private final Map<String, JsonObject> delivered;
  private HttpServer server;
  private volatile boolean down;
  private volatile long latencyMillis;
  private int inProgress;
  private int mostInProgress;

  public MessagingSimulatorVerticle(int port, String apiKey) {
    this(port, apiKey, 100_000);
  }

  public MessagingSimulatorVerticle(int port, String apiKey, int remember) {
    this.port = port;
    this.apiKey = apiKey;
    this.remember = remember;
    this.delivered = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, JsonObject> eldest) {
        return size() > remember;
      }
    };
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** While down, every request gets 503 and nothing is delivered. */
  public void down(boolean down) {
    this.down = down;
  }

  /** Answers this late; a message is delivered when it arrives, whatever the sender's timeout. */
  public void latency(long millis) {
    this.latencyMillis = millis;
  }

  /** The most requests it has been answering at once (with a latency, those waiting for it). */
  public synchronized int mostInProgress() {
    return mostInProgress;
  }

  /** Messages delivered, per kind ({@code sms} or {@code push}), oldest first. */
  public synchronized List<JsonObject> delivered(String kind) {
    List<JsonObject> messages = new ArrayList<>();
    delivered.values().forEach(message -> {
      if (kind.equals(message.getString("kind"))) {
        messages.add(message.copy());
      }
    });
    return messages;
  }

  /** The message's id: a new one, or the one it got when its key was first delivered. */
  private synchronized String deliver(String key, String kind, JsonObject body) {
    String id = kind + "_" + UUID.randomUUID().toString().replace("-", "");
    return remember == 0 ? id
      : delivered.computeIfAbsent(key, k -> body.copy().put("kind", kind).put("key", k).put("id", id)).getString("id");
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024));
    router.post("/v1/sms").handler(ctx -> receive(ctx, "sms"));
    router.post("/v1/push").handler(ctx -> receive(ctx, "push"));
    return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1").onSuccess(s -> server = s);
  }

  private void receive(RoutingContext ctx, String kind) {
    if (!("Bearer " + apiKey).equals(ctx.request().getHeader("Authorization"))) {
      ctx.response().setStatusCode(401).end();
      return;
    }
    if (down) {
      ctx.response().setStatusCode(503).end();
      return;
    }
    String key = ctx.request().getHeader("Idempotency-Key");
    JsonObject body = ctx.body().asJsonObject();
    if (key == null || body == null) {
      ctx.response().setStatusCode(400).end();
      return;
    }
    String id = deliver(key, kind, body);
    synchronized (this) {
      mostInProgress = Math.max(mostInProgress, ++inProgress);
    }
    Runnable answer = () -> {
      synchronized (this) {
        inProgress--;
      }
      ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("id", id).encode());
    };
    if (latencyMillis > 0) {
      vertx.setTimer(latencyMillis, timer -> answer.run());
    } else {
      answer.run();
    }
  }
}
