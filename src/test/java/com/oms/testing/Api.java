package com.oms.testing;

import com.oms.http.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** The service's HTTP API as a test client sees it: real requests over the loopback, real tokens. */
public final class Api {

  private final WebClient client;
  private final Tokens tokens;

  public Api(WebClient client, Tokens tokens) {
    this.client = client;
    this.tokens = tokens;
  }

  public WebClient client() {
    return client;
  }

  public String customerToken(String customerId) {
    return tokens.mint(customerId, "customer");
  }

  public String adminToken() {
    return tokens.mint("ops", "admin");
  }

  public String partnerToken(String partnerId) {
    return tokens.mint(partnerId, "partner");
  }

  public Future<HttpResponse<Buffer>> send(HttpMethod method, String path, String token, JsonObject body) {
    HttpRequest<Buffer> request = client.request(method, path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  public Future<HttpResponse<Buffer>> get(String path, String token) {
    return send(HttpMethod.GET, path, token, null);
  }

  public Future<HttpResponse<Buffer>> post(String path, String token, JsonObject body) {
    return send(HttpMethod.POST, path, token, body);
  }

  public Future<HttpResponse<Buffer>> put(String path, String token, JsonObject body) {
    return send(HttpMethod.PUT, path, token, body);
  }

  // admin set-up ------------------------------------------------------------------------------------

  public Future<Void> store(String storeId, double lat, double lon) {
    JsonObject body = new JsonObject().put("name", "Store " + storeId)
      .put("location", new JsonObject().put("lat", lat).put("lon", lon));
    return expect(put("/v1/stores/" + storeId, adminToken(), body), 200).mapEmpty();
  }

  public Future<Void> stock(String storeId, String sku, int quantity, long price) {
    JsonObject body = new JsonObject().put("quantity", quantity)
      .put("price", new JsonObject().put("amount", price).put("currency", "INR"));
    return expect(put("/v1/stores/" + storeId + "/inventory/" + sku, adminToken(), body), 200).mapEmpty();
  }

  public Future<JsonObject> stockLevel(String storeId, String sku) {
    return expect(get("/v1/stores/" + storeId + "/inventory/" + sku, adminToken()), 200);
  }

  public Future<Void> partner(String partnerId, double lat, double lon) {
    JsonObject registration = new JsonObject().put("partnerId", partnerId).put("name", "Rider " + partnerId)
      .put("phone", "+919811111111");
    JsonObject availability = new JsonObject().put("available", true)
      .put("location", new JsonObject().put("lat", lat).put("lon", lon));
    return post("/v1/partners", adminToken(), registration)
      .compose(r -> expect(put("/v1/partners/" + partnerId + "/availability", partnerToken(partnerId), availability), 200))
      .mapEmpty();
  }

  // orders ----------------------------------------------------------------------------------------

  public static JsonObject cardOrder(String storeId, String cardToken, JsonArray items) {
    return new JsonObject()
      .put("storeId", storeId)
      .put("items", items)
      .put("payment", new JsonObject().put("method", "CREDIT_CARD").put("card", new JsonObject().put("token", cardToken)))
      .put("delivery", new JsonObject().put("address", "12 MG Road, Bengaluru")
        .put("location", new JsonObject().put("lat", 12.975).put("lon", 77.605)))
      .put("contact", new JsonObject().put("email", "buyer@example.com"));
  }

  public static JsonArray items(Object... skuThenQuantity) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < skuThenQuantity.length; i += 2) {
      items.add(new JsonObject().put("sku", skuThenQuantity[i]).put("quantity", skuThenQuantity[i + 1]));
    }
    return items;
  }

  public Future<HttpResponse<Buffer>> place(String customerToken, JsonObject order) {
    return post("/v1/orders", customerToken, order);
  }

  public Future<JsonObject> order(String orderId, String token) {
    return expect(get("/v1/orders/" + orderId, token), 200);
  }

  /** Fails unless the response has {@code status}; answers its JSON body. */
  public static Future<JsonObject> expect(Future<HttpResponse<Buffer>> response, int status) {
    return response.compose(r -> r.statusCode() == status
      ? Future.succeededFuture(r.body() == null || r.body().length() == 0 ? new JsonObject() : r.bodyAsJsonObject())
      : Future.failedFuture(new AssertionError("expected " + status + " but got " + r.statusCode() + ": " + r.bodyAsString())));
  }
}
