package com.oms.http;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.config.OmsConfig;
import com.oms.testing.IntegrationTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AuthTest extends IntegrationTest {

  private String store;
  private String ownerToken;
  private String orderId;

  @BeforeAll
  void placeOneOrder() {
    store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 100).await();
    ownerToken = api.customerToken(unique("owner"));
    orderId = expect(api.place(ownerToken, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String type) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:" + type);
    assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("no token, garbage, another key, another issuer, no expiry, expired, alg none, alg confusion, not yet valid: 401")
  void unauthenticated() {
    OmsConfig.Auth otherKey = new OmsConfig.Auth("another-secret-another-secret-another-secret", "oms", Duration.ofHours(1));
    OmsConfig.Auth neverExpires = new OmsConfig.Auth(app.config.auth().jwtSecret(), "oms", Duration.ZERO);
    OmsConfig.Auth wrongIssuer = new OmsConfig.Auth(app.config.auth().jwtSecret(), "not-oms", Duration.ofHours(1));
    String[] tokens = {
      null,
      "not-a-jwt",
      new Tokens(app.vertx, otherKey).mint("c1", "customer"),
      new Tokens(app.vertx, neverExpires).mint("c1", "customer"),
      expiredToken(),
      new Tokens(app.vertx, wrongIssuer).mint("c1", "customer"),
      withHeader("{\"alg\":\"none\",\"typ\":\"JWT\"}", ""),
      // alg confusion: the claims say RS256, the signature is an HMAC with our secret
      withHeader("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", null),
      notYetValidToken(),
    };
    for (String token : tokens) {
      HttpResponse<Buffer> response = api.get("/v1/orders/" + orderId, token).await();
      assertProblem(response, 401, "unauthorized");
      assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer");
    }
  }

  /** A token with valid claims under {@code header}, unsigned ({@code signature} "") or HMAC-signed with our secret. */
  private String withHeader(String header, String signature) {
    java.util.Base64.Encoder base64 = java.util.Base64.getUrlEncoder().withoutPadding();
    long later = java.time.Instant.now().plusSeconds(600).getEpochSecond();
    String claims = new JsonObject().put("sub", "c1").put("iss", "oms").put("exp", later)
      .put("roles", new io.vertx.core.json.JsonArray().add("customer")).encode();
    String unsigned = base64.encodeToString(header.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "."
      + base64.encodeToString(claims.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (signature != null) {
      return unsigned + "." + signature;
    }
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(app.config.auth().jwtSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "HmacSHA256"));
      return unsigned + "." + base64.encodeToString(mac.doFinal(unsigned.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String notYetValidToken() {
    JWTAuth auth = JWTAuth.create(app.vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(app.config.auth().jwtSecret())));
    long now = java.time.Instant.now().getEpochSecond();
    return auth.generateToken(new JsonObject().put("sub", "c1").put("iss", "oms")
      .put("roles", new io.vertx.core.json.JsonArray().add("customer")).put("exp", now + 7200).put("nbf", now + 3600),
      new JWTOptions().setAlgorithm("HS256"));
  }

  private String expiredToken() {
    JWTAuth auth = JWTAuth.create(app.vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(app.config.auth().jwtSecret())));
    long past = java.time.Instant.now().minusSeconds(600).getEpochSecond();
    return auth.generateToken(new JsonObject().put("sub", "c1").put("iss", "oms")
      .put("roles", new io.vertx.core.json.JsonArray().add("customer")).put("exp", past), new JWTOptions().setAlgorithm("HS256"));
  }

  @Test
  @DisplayName("a valid token with the wrong role: 403")
  void wrongRole() {
    String partner = api.partnerToken("p-1");
    String customer = api.customerToken(unique("cust"));
    assertProblem(api.get("/v1/orders/" + orderId, partner).await(), 403, "forbidden");
    assertProblem(api.place(partner, cardOrder(store, "tok_visa", items("a", 1))).await(), 403, "forbidden");
    assertProblem(api.put("/v1/stores/" + store + "/inventory/a", customer,
      new JsonObject().put("quantity", 1000).put("price", new JsonObject().put("amount", 1).put("currency", "INR"))).await(),
      403, "forbidden");
    assertProblem(api.post("/v1/partners", customer,
      new JsonObject().put("partnerId", "p-x").put("name", "x").put("phone", "+911234567")).await(), 403, "forbidden");
    assertProblem(api.put("/v1/partners/p-2/availability", api.partnerToken("p-1"),
      new JsonObject().put("available", true)).await(), 403, "forbidden");
    assertThat(api.stockLevel(store, "a").await().getInteger("onHand")).isEqualTo(10);
  }

  @Test
  @DisplayName("a customer asking for another customer's order gets 404, as if it did not exist")
  void otherCustomersOrder() {
    String stranger = api.customerToken(unique("stranger"));
    assertProblem(api.get("/v1/orders/" + orderId, stranger).await(), 404, "not-found");
    assertProblem(api.get("/v1/orders/" + orderId + "/events", stranger).await(), 404, "not-found");
    assertProblem(api.get("/v1/orders/" + orderId + "/notifications", stranger).await(), 404, "not-found");
    assertProblem(api.post("/v1/orders/" + orderId + "/cancel", stranger, new JsonObject().put("reason", "mine now")).await(),
      404, "not-found");
    assertThat(api.order(orderId, ownerToken).await().getString("status")).isNotEqualTo("CANCELLED");
  }

  @Test
  @DisplayName("the owner and admins see the order; the transition table is public")
  void allowed() {
    expect(api.get("/v1/orders/" + orderId, ownerToken), 200).await();
    expect(api.get("/v1/orders/" + orderId, api.adminToken()), 200).await();
    JsonObject states = expect(api.get("/v1/order-states", null), 200).await();
    assertThat(states.getJsonArray("states")).hasSize(9);
  }

  @Test
  @DisplayName("a partner cannot report progress on an order not assigned to them: 404 not-assigned")
  void partnerNotAssigned() {
    HttpResponse<Buffer> response = api.send(HttpMethod.POST, "/v1/deliveries/" + orderId + "/status",
      api.partnerToken(unique("rider")), new JsonObject().put("status", "PICKED_UP")).await();
    assertProblem(response, 404, "not-assigned");
  }
}
