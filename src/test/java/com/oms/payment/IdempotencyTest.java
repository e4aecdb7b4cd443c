package com.oms.payment;

import static com.oms.testing.Api.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdempotencyTest extends IntegrationTest {

  private Future<HttpResponse<Buffer>> post(String path, String token, String key, JsonObject body) {
    return api.client().post(path).putHeader("Authorization", "Bearer " + token).putHeader("Idempotency-Key", key)
      .sendJsonObject(body);
  }

  @Test
  @DisplayName("the same Idempotency-Key sent 20 times at once makes one order and 20 identical answers")
  void twentyConcurrentRequests() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 50, 1000);
    String token = api.customerToken(unique("cust"));
    JsonObject body = PaymentTesting.order(store, "CREDIT_CARD", "tok_visa");
    String key = unique("key");

    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      responses.add(post("/v1/orders", token, key, body));
    }
    Future.all(responses).await();

    HttpResponse<Buffer> first = responses.get(0).result();
    for (Future<HttpResponse<Buffer>> response : responses) {
      assertThat(response.result().statusCode()).isEqualTo(201);
      assertThat(response.result().bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    }
    assertThat(responses.stream().filter(r -> r.result().getHeader("Idempotent-Replayed") == null)).hasSize(1);
    assertThat(expect(api.get("/v1/orders", token), 200).await().getJsonArray("orders")).hasSize(1);
    JsonObject stock = api.stockLevel(store, "a").await();
    assertThat(stock.getInteger("held") + stock.getInteger("reserved")).isEqualTo(1);
  }

  @Test
  @DisplayName("a refusal is stored too: the retry of an out-of-stock order gets the same 409, even after restock")
  void errorsAreReplayed() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 0, 1000);
    String token = api.customerToken(unique("cust"));
    JsonObject body = PaymentTesting.order(store, "CREDIT_CARD", "tok_visa");
    String key = unique("key");

    HttpResponse<Buffer> first = post("/v1/orders", token, key, body).await();
    api.stock(store, "a", 10, 1000).await();
    HttpResponse<Buffer> retry = post("/v1/orders", token, key, body).await();

    assertThat(first.statusCode()).isEqualTo(409);
    assertThat(retry.statusCode()).isEqualTo(409);
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
  }

  @Test
  @DisplayName("cancellation with an Idempotency-Key answers the first result again")
  void cancellation() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, PaymentTesting.order(store, "CREDIT_CARD", "tok_visa")), 201).await()
      .getString("orderId");
    String key = unique("key");
    JsonObject reason = new JsonObject().put("reason", "no longer needed");

    HttpResponse<Buffer> first = post("/v1/orders/" + orderId + "/cancel", token, key, reason).await();
    HttpResponse<Buffer> retry = post("/v1/orders/" + orderId + "/cancel", token, key, reason).await();
    HttpResponse<Buffer> otherReason = post("/v1/orders/" + orderId + "/cancel", token, key,
      new JsonObject().put("reason", "something else")).await();

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(otherReason.statusCode()).isEqualTo(422);
  }

  @Test
  @DisplayName("an expired key is forgotten: the same key then places a new order")
  void keysExpire() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    JsonObject body = PaymentTesting.order(store, "CREDIT_CARD", "tok_visa");
    String key = unique("key");

    String first = post("/v1/orders", token, key, body).await().bodyAsJsonObject().getString("orderId");
    app.clock.advance(app.config.order().idempotencyKeyTtl().plusMinutes(1));
    HttpResponse<Buffer> later = post("/v1/orders", token, key, body).await();

    assertThat(later.statusCode()).isEqualTo(201);
    assertThat(later.getHeader("Idempotent-Replayed")).isNull();
    assertThat(later.bodyAsJsonObject().getString("orderId")).isNotEqualTo(first);
  }
}
