package com.oms.payment.card;

import com.oms.bus.ChargeRequest;
import com.oms.payment.PaymentProvider;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;

/**
 * Card payments through a gateway's HTTP API. The service only ever holds the gateway token that the
 * customer's browser obtained from the gateway; card numbers never reach it.
 */
public final class CardPaymentProvider implements PaymentProvider {

  private final WebClient client;
  private final String baseUrl;
  private final String apiKey;
  private final long timeoutMillis;

  public CardPaymentProvider(WebClient client, String baseUrl, String apiKey, Duration timeout) {
    this.client = client;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.apiKey = apiKey;
    this.timeoutMillis = timeout.toMillis();
  }

  @Override
  public String method() {
    return "CREDIT_CARD";
  }

  @Override
  public Future<ProviderResult> charge(ChargeRequest request) {
    JsonObject body = new JsonObject()
      .put("token", request.instrument().get("token"))
      .put("amount", request.amount())
      .put("currency", request.currency())
      .put("reference", request.orderId());
    return client.postAbs(baseUrl + "/v1/charges")
      .putHeader("Authorization", "Bearer " + apiKey)
      .putHeader("Idempotency-Key", chargeKey(request.orderId()))
      .timeout(timeoutMillis)
      .sendJsonObject(body)
      .map(CardPaymentProvider::chargeResult);
  }

  @Override
  public Future<ProviderResult> status(String orderId) {
    return client.getAbs(baseUrl + "/v1/charges")
      .addQueryParam("idempotencyKey", chargeKey(orderId))
      .putHeader("Authorization", "Bearer " + apiKey)
      .timeout(timeoutMillis)
      .send()
      .map(response -> response.statusCode() == 404 ? ProviderResult.none() : chargeResult(response));
  }

  @Override
  public Future<ProviderResult> refund(String orderId, String reference) {
    return client.postAbs(baseUrl + "/v1/refunds")
      .putHeader("Authorization", "Bearer " + apiKey)
      .putHeader("Idempotency-Key", "refund-" + orderId)
      .timeout(timeoutMillis)
      .sendJsonObject(new JsonObject().put("charge", reference))
      .compose(response -> response.statusCode() == 200
        ? Future.succeededFuture(new ProviderResult("REFUNDED", response.bodyAsJsonObject().getString("id"), null, null))
        : Future.failedFuture(new IllegalStateException("gateway refused the refund: " + response.statusCode()
          + " " + response.bodyAsString())));
  }

  private static String chargeKey(String orderId) {
    return "charge-" + orderId;
  }

  private static ProviderResult chargeResult(HttpResponse<Buffer> response) {
    JsonObject body = safeJson(response);
    return switch (response.statusCode()) {
      case 200 -> new ProviderResult("SUCCEEDED", body.getString("id"), null, null);
      case 402 -> new ProviderResult("DECLINED", body.getString("id"), body.getString("declineCode"), null);
      case 400 -> new ProviderResult("DECLINED", null, errorCode(body), null);
      // 5xx and anything else: the gateway could not decide; nothing was charged
      default -> new ProviderResult("FAILED", null, "gateway_" + response.statusCode(), null);
    };
  }

  private static String errorCode(JsonObject body) {
    JsonObject error = body.getJsonObject("error");
    return error == null ? "invalid_request" : error.getString("code");
  }

  private static JsonObject safeJson(HttpResponse<Buffer> response) {
    try {
      JsonObject json = response.bodyAsJsonObject();
      return json == null ? new JsonObject() : json;
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }
}
