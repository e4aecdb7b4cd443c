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
 * delivered. Dev and test tool only: state in memory, one instance.
 */
public final class MessagingSimulatorVerticle extends VerticleBase {

  private final int port;
  private final String apiKey;
  private final Map<String, JsonObject> delivered = new LinkedHashMap<>();
  private HttpServer server;
  private volatile boolean down;
  private volatile long latencyMillis;
  private int inProgress;
  private int mostInProgress;

  public MessagingSimulatorVerticle(int port, String apiKey) {
    this.port = port;
    this.apiKey = apiKey;
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
    JsonObject message;
    synchronized (this) {
      message = delivered.computeIfAbsent(key, k -> body.copy().put("kind", kind).put("key", k)
        .put("id", kind + "_" + UUID.randomUUID().toString().replace("-", "")));
    }
    synchronized (this) {
      mostInProgress = Math.max(mostInProgress, ++inProgress);
    }
    Runnable answer = () -> {
      synchronized (this) {
        inProgress--;
      }
      ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("id", message.getString("id")).encode());
    };
    if (latencyMillis > 0) {
      vertx.setTimer(latencyMillis, id -> answer.run());
    } else {
      answer.run();
    }
  }
}
