package com.oms.http;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ValidationTest extends IntegrationTest {

  private String store;
  private String customer;
  private String token;

  @BeforeAll
  void stock() {
    store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 100).await();
    customer = unique("cust");
    token = api.customerToken(customer);
  }

  private HttpResponse<Buffer> placeWith(Consumer<JsonObject> change) {
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    change.accept(body);
    return api.place(token, body).await();
  }

  private static void assertBadRequest(HttpResponse<Buffer> response, String type) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("urn:oms:problem:" + type);
    assertThat(problem.getString("detail")).isNotBlank();
    assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("bodies that break the contract get 400 validation-failed naming the field, and change nothing")
  void contractViolations() {
    assertBadRequest(placeWith(b -> b.getJsonArray("items").getJsonObject(0).put("quantity", 0)), "validation-failed");
    assertBadRequest(placeWith(b -> b.put("items", new io.vertx.core.json.JsonArray())), "validation-failed");
    assertBadRequest(placeWith(b -> b.remove("delivery")), "validation-failed");
    assertBadRequest(placeWith(b -> b.getJsonObject("payment").remove("card")), "validation-failed");
    assertBadRequest(placeWith(b -> b.getJsonObject("payment").put("method", "BITCOIN")), "validation-failed");
    assertBadRequest(placeWith(b -> b.getJsonObject("delivery").getJsonObject("location").put("lat", 91)), "validation-failed");
    assertBadRequest(placeWith(b -> b.getJsonArray("items").getJsonObject(0).put("quantity", "2")), "validation-failed");
    // no mass assignment: status, prices and owner are not the client's to set
    assertBadRequest(placeWith(b -> b.put("status", "DELIVERED")), "validation-failed");
    assertBadRequest(placeWith(b -> b.put("customerId", "someone-else")), "validation-failed");
    assertBadRequest(placeWith(b -> b.getJsonArray("items").getJsonObject(0).put("unitPrice", 1)), "validation-failed");

    HttpResponse<Buffer> zero = placeWith(b -> b.getJsonArray("items").getJsonObject(0).put("quantity", 0));
    JsonObject error = zero.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("pointer")).isEqualTo("/items/0/quantity");

    assertThat(expect(api.get("/v1/orders", token), 200).await().getJsonArray("orders")).isEmpty();
    assertThat(api.stockLevel(store, "a").await().getInteger("held")).isZero();
  }

  @Test
  @DisplayName("malformed JSON is 400 malformed-json")
  void malformedJson() {
    HttpResponse<Buffer> response = api.client().post("/v1/orders")
      .putHeader("Authorization", "Bearer " + token)
      .putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"storeId\": \"s\", \"items\": [")).await();
    assertBadRequest(response, "malformed-json");
  }

  @Test
  @DisplayName("bad path and query parameters are 400, unknown paths 404, wrong methods 405, all as problems")
  void parametersAndRouting() {
    assertBadRequest(api.get("/v1/orders/not-a-uuid", token).await(), "validation-failed");
    assertBadRequest(api.get("/v1/orders?limit=0", token).await(), "validation-failed");
    assertBadRequest(api.get("/v1/orders?status=SHIPPED", token).await(), "validation-failed");
    HttpResponse<Buffer> missing = api.get("/v1/nothing-here", token).await();
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:not-found");
    HttpResponse<Buffer> wrongMethod = api.send(io.vertx.core.http.HttpMethod.DELETE, "/v1/orders", token, null).await();
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.getHeader("Content-Type")).isEqualTo("application/problem+json");
  }

  @Test
  @DisplayName("a body over the size limit is 413 payload-too-large")
  void tooLarge() {
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    body.getJsonObject("delivery").put("address", "x".repeat(70_000));
    HttpResponse<Buffer> response = api.place(token, body).await();
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:payload-too-large");
  }

  @Test
  @DisplayName("headers or a request line over the server's limits: 431 and 414 as problem documents")
  void oversizedHeadersAndLine() {
    HttpResponse<Buffer> headers = api.client().get("/v1/orders").putHeader("Authorization", "Bearer " + token)
      .putHeader("X-Padding", "x".repeat(20_000)).send().await();
    assertThat(headers.statusCode()).isEqualTo(431);
    assertThat(headers.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(headers.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:validation-failed");
    HttpResponse<Buffer> line = api.client().get("/v1/orders?cursor=" + "c".repeat(10_000))
      .putHeader("Authorization", "Bearer " + token).send().await();
    assertThat(line.statusCode()).isEqualTo(414);
    assertThat(line.getHeader("Content-Type")).isEqualTo("application/problem+json");
  }
}
