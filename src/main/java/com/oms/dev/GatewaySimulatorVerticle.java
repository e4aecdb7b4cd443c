package com.oms.dev;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.List;
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
 * UPI collect ({@code POST /v1/upi/collect}) and net banking ({@code POST /v1/netbanking/payments}) are
 * asynchronous: accepted at once, completed later by webhooks signed with the provider's secret (see
 * {@link #collect} and {@link #netBanking} for their test VPAs and banks). Refunds work for every method.
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
  private final Map<String, String> webhookSecrets;
  private final long webhookDelayMillis;
  private final java.time.Clock clock;
  private WebClient webhookClient;
  private volatile String webhookBaseUrl;
  private final Map<String, JsonObject> asyncByKey = new HashMap<>();
  private final Map<String, JsonObject> asyncByReference = new HashMap<>();
  private final Map<String, String> tokens = new HashMap<>();
  private final Map<String, JsonObject> chargesByKey = new HashMap<>();
  private final Map<String, JsonObject> chargesById = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, JsonObject> refundsByKey = new java.util.concurrent.ConcurrentHashMap<>();
  private HttpServer server;
  private volatile long latencyMillis;

  /**
   * @param webhookSecrets per webhook name ({@code upi}, {@code netbanking}), the secret to sign with
   * @param webhookDelayMillis how long after a collect request or a bank redirect the outcome is reported
   */
  public GatewaySimulatorVerticle(int port, String apiKey, Map<String, String> webhookSecrets, long webhookDelayMillis,
                                  java.time.Clock clock) {
    this.port = port;
    this.apiKey = apiKey;
    this.webhookSecrets = webhookSecrets;
    this.webhookDelayMillis = webhookDelayMillis;
    this.clock = clock;
    TEST_CARDS.values().forEach(token -> tokens.put(token, token));
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** Test control: the customer completed an asynchronous payment after all (no webhook is sent). */
  public void capture(String paymentId) {
    JsonObject payment = chargesById.get(paymentId);
    if (payment != null) {
      payment.put("status", "captured");
    }
  }

  /** Where the service receives webhooks, e.g. {@code http://127.0.0.1:8080}; known once the edge listens. */
  public void webhookTarget(String baseUrl) {
    this.webhookBaseUrl = baseUrl;
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
    return chargesById.values().stream().filter(c -> List.of("succeeded", "captured").contains(c.getString("status"))).count();
  }

  public long refundsMade() {
    return refundsByKey.size();
  }

  /** The references (the service's order ids) of every successful charge. */
  public java.util.List<String> chargeReferences() {
    return chargesById.values().stream()
      .filter(c -> List.of("succeeded", "captured").contains(c.getString("status")))
      .map(c -> c.getString("reference"))
      .toList();
  }

  /** Refunds made for the charge of one order (the service's charges carry the order as reference). */
  public long refundsFor(String orderId) {
    return refundsByKey.values().stream()
      .map(refund -> chargesById.get(refund.getString("charge")))
      .filter(charge -> charge != null && orderId.equals(charge.getString("reference")))
      .count();
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
    router.route("/v1/upi*").handler(this::authenticate);
    router.route("/v1/netbanking*").handler(this::authenticate);
    router.post("/v1/upi/collect").handler(ctx -> later(ctx, () -> collect(ctx)));
    router.get("/v1/upi/collect").handler(ctx -> later(ctx, () -> findAsync(ctx)));
    router.post("/v1/netbanking/payments").handler(ctx -> later(ctx, () -> netBanking(ctx)));
    router.get("/v1/netbanking/payments").handler(ctx -> later(ctx, () -> findAsync(ctx)));
    router.get("/bank/:paymentId").handler(this::bankPage);
    webhookClient = WebClient.create(vertx);
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

  /**
   * UPI collect. The VPA decides the outcome: success@upi (authorized, then captured), failure@upi
   * (declined by the customer), insufficient@upi, error@upi (502 now), timeout@upi (no answer),
   * pending@upi (accepted, never completed: no webhook), duplicate@upi (the capture webhook twice),
   * reorder@upi (captured before authorized).
   */
  private void collect(RoutingContext ctx) {
    startAsync(ctx, 202, "vpa", (vpa, payment) -> {
      if (!vpa.contains("@")) {
        return null;
      }
      payment.put("id", "upi_" + payment.getString("id")).put("vpa", vpa)
        .put("expiresAt", clock.instant().plusSeconds(900).toString());
      return switch (vpa) {
        case "failure@upi" -> List.of(failed("declined_by_customer"));
        case "insufficient@upi" -> List.of(failed("insufficient_funds"));
        case "pending@upi" -> List.of();
        case "duplicate@upi" -> List.of("payment.captured", "payment.captured");
        case "reorder@upi" -> List.of("payment.captured", "payment.authorized");
        default -> List.of("payment.authorized", "payment.captured");
      };
    }, "upi", "timeout@upi", "error@upi", "invalid_vpa");
  }

  /**
   * Net banking. The bank code decides: TESTBANK (paid), TESTBANK_DECLINE, TESTBANK_NOFUNDS,
   * TESTBANK_ERROR (502 now), TESTBANK_TIMEOUT (no answer), TESTBANK_ABANDON (the customer never
   * comes back: no webhook).
   */
  private void netBanking(RoutingContext ctx) {
    startAsync(ctx, 201, "bank", (bank, payment) -> {
      String id = "nb_" + payment.getString("id");
      payment.put("id", id).put("bank", bank)
        .put("redirectUrl", "http://127.0.0.1:" + server.actualPort() + "/bank/" + id);
      return switch (bank) {
        case "TESTBANK" -> List.of("payment.captured");
        case "TESTBANK_DECLINE" -> List.of(failed("declined_by_bank"));
        case "TESTBANK_NOFUNDS" -> List.of(failed("insufficient_funds"));
        case "TESTBANK_ABANDON" -> List.of();
        default -> null;
      };
    }, "netbanking", "TESTBANK_TIMEOUT", "TESTBANK_ERROR", "unknown_bank");
  }

  /**
   * Starts an asynchronous payment, once per idempotency key. {@code plan} fills in the payment for the
   * instrument and answers the webhooks to send later (null: the instrument is refused with 400).
   */
  private void startAsync(RoutingContext ctx, int acceptedStatus, String instrumentField,
                          java.util.function.BiFunction<String, JsonObject, List<String>> plan, String webhook,
                          String noAnswer, String gatewayError, String refusal) {
    String key = ctx.request().getHeader("Idempotency-Key");
    JsonObject body = ctx.body().asJsonObject();
    if (key == null || body == null) {
      send(ctx, 400, error("idempotency_key_and_body_required"));
      return;
    }
    JsonObject earlier = asyncByKey.get(key);
    if (earlier != null) {
      send(ctx, acceptedStatus, earlier);
      return;
    }
    String instrument = String.valueOf(body.getString(instrumentField));
    if (instrument.equals(noAnswer)) {
      return;
    }
    if (instrument.equals(gatewayError)) {
      send(ctx, 502, error("gateway_error"));
      return;
    }
    JsonObject payment = new JsonObject()
      .put("id", UUID.randomUUID().toString().replace("-", ""))
      .put("status", "pending")
      .put("amount", body.getLong("amount"))
      .put("currency", body.getString("currency"))
      .put("reference", body.getString("reference"));
    List<String> events = plan.apply(instrument, payment);
    if (events == null) {
      send(ctx, 400, error(refusal));
      return;
    }
    chargesById.put(payment.getString("id"), payment);
    asyncByKey.put(key, payment);
    asyncByReference.put(body.getString("reference"), payment);
    send(ctx, acceptedStatus, payment);
    if (!events.isEmpty()) {
      reportLater(webhook, payment, events);
    }
  }

  private void bankPage(RoutingContext ctx) {
    JsonObject payment = chargesById.get(ctx.pathParam("paymentId"));
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(
      "<!doctype html><title>Test bank</title><h1>Test bank</h1><p>Payment "
        + (payment == null ? "unknown" : payment.getString("id") + ": " + payment.getString("status"))
        + "</p><p>This simulated bank completes the payment on its own.</p>");
  }

  private static String failed(String declineCode) {
    return "payment.failed:" + declineCode;
  }

  private void findAsync(RoutingContext ctx) {
    JsonObject payment = asyncByReference.get(ctx.queryParams().get("reference"));
    if (payment == null) {
      send(ctx, 404, error("payment_not_found"));
    } else {
      send(ctx, 200, payment);
    }
  }

  /** Reports the outcome by signed webhooks, one after the other, as a gateway would. */
  private void reportLater(String webhook, JsonObject payment, List<String> events) {
    vertx.setTimer(Math.max(1, webhookDelayMillis), id -> report(webhook, payment, events, 0, null));
  }

  private void report(String webhook, JsonObject payment, List<String> events, int index, String previousEventId) {
    if (index >= events.size()) {
      return;
    }
    String[] typeAndCode = events.get(index).split(":", 2);
    String type = typeAndCode[0];
    // a repeated event is the same event (same id), delivered again
    boolean repeat = index > 0 && events.get(index).equals(events.get(index - 1));
    String eventId = repeat ? previousEventId : "evt_" + UUID.randomUUID().toString().replace("-", "");
    JsonObject data = new JsonObject()
      .put("paymentId", payment.getString("id"))
      .put("reference", payment.getString("reference"))
      .put("amount", payment.getLong("amount"))
      .put("currency", payment.getString("currency"));
    switch (type) {
      case "payment.captured" -> payment.put("status", "captured");
      case "payment.authorized" -> {
        if (!"captured".equals(payment.getString("status"))) {
          payment.put("status", "authorized");
        }
      }
      default -> {
        payment.put("status", "failed").put("declineCode", typeAndCode[1]);
        data.put("declineCode", typeAndCode[1]);
      }
    }
    JsonObject event = new JsonObject().put("id", eventId).put("type", type)
      .put("created", clock.instant().getEpochSecond()).put("data", data);
    deliver(webhook, event, 0).onComplete(ar -> report(webhook, payment, events, index + 1, eventId));
  }

  private io.vertx.core.Future<Void> deliver(String webhook, JsonObject event, int attempt) {
    String base = webhookBaseUrl;
    if (base == null) {
      return io.vertx.core.Future.succeededFuture();
    }
    byte[] body = event.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String signature = com.oms.payment.WebhookSignature.sign(webhookSecrets.get(webhook), clock.instant(), body);
    return webhookClient.postAbs(base + "/v1/payments/webhooks/" + webhook)
      .putHeader("Content-Type", "application/json")
      .putHeader(com.oms.payment.WebhookSignature.HEADER, signature)
      .timeout(5_000)
      .sendBuffer(io.vertx.core.buffer.Buffer.buffer(body))
      .compose(response -> response.statusCode() / 100 == 2
        ? io.vertx.core.Future.<Void>succeededFuture()
        : io.vertx.core.Future.<Void>failedFuture("webhook answered " + response.statusCode()))
      .recover(failure -> {
        if (attempt >= 5) {
          return io.vertx.core.Future.succeededFuture();
        }
        io.vertx.core.Promise<Void> retried = io.vertx.core.Promise.promise();
        vertx.setTimer(200L << attempt, id -> deliver(webhook, event, attempt + 1).onComplete(retried));
        return retried.future();
      });
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
    if (charge == null || !List.of("succeeded", "captured").contains(charge.getString("status"))) {
      send(ctx, 400, error("charge_not_refundable"));
      return;
    }
    if (charge.getBoolean("refunded", false)) {
      // like a real gateway: a charge is refunded in full once, whatever key the second attempt uses
      send(ctx, 400, error("charge_already_refunded"));
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
