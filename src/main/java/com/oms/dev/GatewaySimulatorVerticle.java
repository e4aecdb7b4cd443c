package com.oms.dev;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A stand-in for a card payment gateway, reached over real HTTP on its own port, in the style of public
 * gateways: a tokenization endpoint for the browser SDK (card numbers stop here), idempotent charges and
 * refunds, and test tokens that decide the outcome.
 *
 * <table>
 *   <tr><th>token</th><th>card number (tokenize)</th><th>outcome</th></tr>
 *   <tr><td>tok_visa</td><td>4242 4242 4242 4242</td><td>succeeds</td></tr>
 *   <tr><td>tok_chargeDeclined</td><td>4000 0000 0000 0002</td><td>402 card_declined</td></tr>
 *   <tr><td>tok_insufficientFunds</td><td>4000 0000 0000 9995</td><td>402 insufficient_funds</td></tr>
 *   <tr><td>tok_gatewayError</td><td>4000 0000 0000 0119</td><td>502, nothing charged</td></tr>
 *   <tr><td>tok_timeout</td><td>4000 0000 0000 3220</td><td>never answers</td></tr>
 * </table>
 *
 * Dev and test tool only: state lives in memory and the verticle runs as one instance.
 */
public final class GatewaySimulatorVerticle extends VerticleBase {

  public static final String API_KEY_HEADER = "Authorization";

  private static final Map<String, String> TEST_CARDS = Map.of(
    "4242424242424242", "tok_visa",
    "4000000000000002", "tok_chargeDeclined",
    "4000000000009995", "tok_insufficientFunds",
    "4000000000000119", "tok_gatewayError",
    "4000000000003220", "tok_timeout");

  private final int port;
  private final String apiKey;
  private final Map<String, String> tokens = new HashMap<>();
  private final Map<String, JsonObject> chargesByKey = new HashMap<>();
  private final Map<String, JsonObject> chargesById = new HashMap<>();
  private final Map<String, JsonObject> refundsByKey = new HashMap<>();
  private HttpServer server;
  private volatile long latencyMillis;

  public GatewaySimulatorVerticle(int port, String apiKey) {
    this.port = port;
    this.apiKey = apiKey;
    TEST_CARDS.values().forEach(token -> tokens.put(token, token));
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** Delay before every answer, to exercise timeouts and tails. */
  public void latency(long millis) {
    this.latencyMillis = millis;
  }

  /** How many charges were made for one idempotency key: at most one, whatever the retries. */
  public int chargeCount(String idempotencyKey) {
    return chargesByKey.containsKey(idempotencyKey) ? 1 : 0;
  }

  public long chargesMade() {
    return chargesById.values().stream().filter(c -> "succeeded".equals(c.getString("status"))).count();
  }

  public long refundsMade() {
    return refundsByKey.size();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024));
    router.post("/v1/tokens").handler(this::tokenize);
    router.route("/v1/charges*").handler(this::authenticate);
    router.route("/v1/refunds*").handler(this::authenticate);
    router.post("/v1/charges").handler(ctx -> later(ctx, () -> charge(ctx)));
    router.get("/v1/charges").handler(ctx -> later(ctx, () -> findCharge(ctx)));
    router.post("/v1/refunds").handler(ctx -> later(ctx, () -> refund(ctx)));
    return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1").onSuccess(s -> server = s);
  }

  private void later(RoutingContext ctx, Runnable answer) {
    if (latencyMillis > 0) {
      vertx.setTimer(latencyMillis, id -> answer.run());
    } else {
      answer.run();
    }
  }

  private void authenticate(RoutingContext ctx) {
    if (!("Bearer " + apiKey).equals(ctx.request().getHeader(API_KEY_HEADER))) {
      send(ctx, 401, error("invalid_api_key"));
      return;
    }
    ctx.next();
  }

  private void tokenize(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String number = body == null ? null : String.valueOf(body.getValue("number", "")).replace(" ", "");
    String behaviour = TEST_CARDS.get(number);
    if (behaviour == null) {
      send(ctx, 400, error("card_number_invalid"));
      return;
    }
    String token = "tok_" + UUID.randomUUID().toString().replace("-", "");
    tokens.put(token, behaviour);
    send(ctx, 200, new JsonObject().put("id", token).put("last4", number.substring(number.length() - 4)));
  }

  private void charge(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    JsonObject body = ctx.body().asJsonObject();
    if (key == null || body == null) {
      send(ctx, 400, error("idempotency_key_and_body_required"));
      return;
    }
    JsonObject earlier = chargesByKey.get(key);
    if (earlier != null) {
      send(ctx, statusOf(earlier), earlier);
      return;
    }
    String behaviour = tokens.get(body.getString("token"));
    if (behaviour == null) {
      send(ctx, 400, error("token_invalid"));
      return;
    }
    switch (behaviour) {
      case "tok_timeout" -> {
        // never answer: the caller's timeout decides
      }
      case "tok_gatewayError" -> send(ctx, 502, error("gateway_error"));
      default -> {
        String id = "ch_" + UUID.randomUUID().toString().replace("-", "");
        JsonObject charge = new JsonObject()
          .put("id", id)
          .put("amount", body.getLong("amount"))
          .put("currency", body.getString("currency"))
          .put("reference", body.getString("reference"));
        switch (behaviour) {
          case "tok_chargeDeclined" -> charge.put("status", "declined").put("declineCode", "card_declined");
          case "tok_insufficientFunds" -> charge.put("status", "declined").put("declineCode", "insufficient_funds");
          default -> charge.put("status", "succeeded");
        }
        chargesByKey.put(key, charge);
        chargesById.put(id, charge);
        send(ctx, statusOf(charge), charge);
      }
    }
  }

  private void findCharge(RoutingContext ctx) {
    JsonObject charge = chargesByKey.get(ctx.queryParams().get("idempotencyKey"));
    if (charge == null) {
      send(ctx, 404, error("charge_not_found"));
    } else {
      send(ctx, 200, charge);
    }
  }

  private void refund(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    JsonObject body = ctx.body().asJsonObject();
    if (key == null || body == null) {
      send(ctx, 400, error("idempotency_key_and_body_required"));
      return;
    }
    JsonObject earlier = refundsByKey.get(key);
    if (earlier != null) {
      send(ctx, 200, earlier);
      return;
    }
    JsonObject charge = chargesById.get(body.getString("charge"));
    if (charge == null || !"succeeded".equals(charge.getString("status"))) {
      send(ctx, 400, error("charge_not_refundable"));
      return;
    }
    JsonObject refund = new JsonObject()
      .put("id", "re_" + UUID.randomUUID().toString().replace("-", ""))
      .put("charge", charge.getString("id"))
      .put("amount", charge.getLong("amount"))
      .put("status", "succeeded");
    charge.put("refunded", true);
    refundsByKey.put(key, refund);
    send(ctx, 200, refund);
  }

  private static int statusOf(JsonObject charge) {
    return "succeeded".equals(charge.getString("status")) ? 200 : 402;
  }

  private static JsonObject error(String code) {
    return new JsonObject().put("error", new JsonObject().put("code", code));
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
