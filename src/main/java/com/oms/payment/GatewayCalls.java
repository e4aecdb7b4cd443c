package com.oms.payment;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

/** HTTP calls to a gateway: authenticated, with a timeout, and with an idempotency key when they change state. */
public final class GatewayCalls {

  private final ProviderContext context;
  private final String baseUrl;

  public GatewayCalls(ProviderContext context) {
    this.context = context;
    String url = context.gatewayUrl();
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public Future<HttpResponse<Buffer>> post(String path, String idempotencyKey, JsonObject body) {
    return prepare(context.http().postAbs(baseUrl + path)).putHeader("Idempotency-Key", idempotencyKey)
      .sendJsonObject(body);
  }

  public Future<HttpResponse<Buffer>> get(String path, String name, String value) {
    return prepare(context.http().getAbs(baseUrl + path)).addQueryParam(name, value).send();
  }

  private HttpRequest<Buffer> prepare(HttpRequest<Buffer> request) {
    return request.putHeader("Authorization", "Bearer " + context.apiKey()).timeout(context.timeout().toMillis());
  }

  public static JsonObject json(HttpResponse<Buffer> response) {
    try {
      JsonObject json = response.bodyAsJsonObject();
      return json == null ? new JsonObject() : json;
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  public static String errorCode(JsonObject body, String fallback) {
    JsonObject error = body.getJsonObject("error");
    return error == null ? fallback : error.getString("code", fallback);
  }

  /** A refund the gateway accepted, or a failure saying why not. */
  public static Future<PaymentProvider.ProviderResult> refunded(HttpResponse<Buffer> response) {
    return response.statusCode() == 200
      ? Future.succeededFuture(PaymentProvider.ProviderResult.of("REFUNDED", json(response).getString("id")))
      : Future.failedFuture(new IllegalStateException("gateway refused the refund: " + response.statusCode() + " "
        + errorCode(json(response), "unknown")));
  }
}
