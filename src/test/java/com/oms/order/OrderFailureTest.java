package com.oms.order;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OrderFailureTest extends IntegrationTest {

  private String storeWith(Object... skuThenQuantity) {
    String store = unique("store");
    api.store(store, 12.9716, 77.5946).await();
    for (int i = 0; i < skuThenQuantity.length; i += 2) {
      api.stock(store, (String) skuThenQuantity[i], (Integer) skuThenQuantity[i + 1], 1000).await();
    }
    return store;
  }

  @Test
  @DisplayName("insufficient stock: 409 naming each short SKU, the order recorded FAILED, nothing left held")
  void insufficientStock() {
    String store = storeWith("a", 5, "b", 1, "c", 0);
    String token = api.customerToken(unique("cust"));

    HttpResponse<Buffer> response = api.place(token, cardOrder(store, "tok_visa", items("a", 2, "b", 3, "c", 1))).await();

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).isEqualTo("urn:oms:problem:insufficient-stock");
    assertThat(problem.getJsonArray("shortages")).containsExactlyInAnyOrder(
      new JsonObject().put("sku", "b").put("requested", 3).put("available", 1),
      new JsonObject().put("sku", "c").put("requested", 1).put("available", 0));
    JsonObject order = api.order(problem.getString("orderId"), token).await();
    assertThat(order.getString("status")).isEqualTo("FAILED");
    assertThat(order.getString("failureReason")).contains("insufficient stock").contains("b (requested 3, available 1)");
    for (String sku : new String[] {"a", "b", "c"}) {
      assertThat(api.stockLevel(store, sku).await().getInteger("held")).as(sku + " held").isZero();
    }
  }

  @Test
  @DisplayName("a declined card fails the order and gives its stock back")
  void declinedCard() {
    String store = storeWith("a", 3);
    String token = api.customerToken(unique("cust"));

    JsonObject placed = expect(api.place(token, cardOrder(store, "tok_chargeDeclined", items("a", 2))), 201).await();

    JsonObject failed = Poll.until(app.vertx, () -> api.order(placed.getString("orderId"), token),
      o -> o.getString("status").equals("FAILED"), DEADLINE, "the order to fail").await();
    assertThat(failed.getString("failureReason")).isEqualTo("payment declined: card_declined");
    assertThat(failed.getJsonObject("payment").getString("status")).isEqualTo("DECLINED");
    Poll.until(app.vertx, () -> api.stockLevel(store, "a"), s -> s.getInteger("held") == 0, DEADLINE, "release").await();
    assertThat(api.stockLevel(store, "a").await().getInteger("available")).isEqualTo(3);
  }

  @Test
  @DisplayName("a customer cancels a paid order: CANCELLED, stock released, payment refunded; cancelling again answers the same")
  void customerCancels() {
    String store = storeWith("a", 4);
    String token = api.customerToken(unique("cust"));
    JsonObject placed = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await();
    String orderId = placed.getString("orderId");
    Poll.until(app.vertx, () -> api.order(orderId, token),
      o -> o.getString("status").equals("INVENTORY_RESERVED"), DEADLINE, "reservation").await();
    long refundsBefore = app.app.gatewaySimulator().refundsMade();

    JsonObject cancelled = expect(api.post("/v1/orders/" + orderId + "/cancel", token,
      new JsonObject().put("reason", "changed my mind")), 200).await();
    JsonObject again = expect(api.post("/v1/orders/" + orderId + "/cancel", token,
      new JsonObject().put("reason", "changed my mind")), 200).await();

    assertThat(cancelled.getString("status")).isEqualTo("CANCELLED");
    assertThat(cancelled.getJsonObject("payment").getString("status")).isEqualTo("REFUNDED");
    assertThat(again.getInteger("version")).isEqualTo(cancelled.getInteger("version"));
    assertThat(app.app.gatewaySimulator().refundsMade()).isEqualTo(refundsBefore + 1);
    JsonObject stock = api.stockLevel(store, "a").await();
    assertThat(stock.getInteger("reserved")).isZero();
    assertThat(stock.getInteger("available")).isEqualTo(4);
  }

  @Test
  @DisplayName("an order that reached a final state cannot be cancelled: 409 with the allowed moves")
  void cannotCancelFinishedOrder() {
    String store = storeWith("a", 1);
    String token = api.customerToken(unique("cust"));
    HttpResponse<Buffer> shortOrder = api.place(token, cardOrder(store, "tok_visa", items("a", 2))).await();
    String failedId = shortOrder.bodyAsJsonObject().getString("orderId");

    HttpResponse<Buffer> response = api.post("/v1/orders/" + failedId + "/cancel", token,
      new JsonObject().put("reason", "too late")).await();

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:invalid-transition");
    assertThat(api.order(failedId, token).await().getString("status")).isEqualTo("FAILED");
  }

  @Test
  @DisplayName("Idempotency-Key: a retry gets the first answer again without a second hold; another body with the key is 422")
  void idempotentPlacement() {
    String store = storeWith("a", 10);
    String token = api.customerToken(unique("cust"));
    JsonObject body = cardOrder(store, "tok_visa", items("a", 2));
    String key = unique("key");

    HttpResponse<Buffer> first = api.client().post("/v1/orders").putHeader("Authorization", "Bearer " + token)
      .putHeader("Idempotency-Key", key).sendJsonObject(body).await();
    HttpResponse<Buffer> retry = api.client().post("/v1/orders").putHeader("Authorization", "Bearer " + token)
      .putHeader("Idempotency-Key", key).sendJsonObject(body).await();
    HttpResponse<Buffer> different = api.client().post("/v1/orders").putHeader("Authorization", "Bearer " + token)
      .putHeader("Idempotency-Key", key).sendJsonObject(cardOrder(store, "tok_visa", items("a", 3))).await();

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(different.statusCode()).isEqualTo(422);
    assertThat(different.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:idempotency-key-reused");
    JsonObject stock = api.stockLevel(store, "a").await();
    assertThat(stock.getInteger("held") + stock.getInteger("reserved")).isEqualTo(2);
  }

  @Test
  @DisplayName("unknown SKUs and stores are 422 and record no order")
  void unknownSkuOrStore() {
    String store = storeWith("a", 10);
    String customer = unique("cust");
    String token = api.customerToken(customer);

    HttpResponse<Buffer> unknownSku = api.place(token, cardOrder(store, "tok_visa", items("a", 1, "nope", 1))).await();
    HttpResponse<Buffer> unknownStore = api.place(token, cardOrder(unique("nowhere"), "tok_visa", items("a", 1))).await();

    assertThat(unknownSku.statusCode()).isEqualTo(422);
    assertThat(unknownSku.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:unknown-sku");
    assertThat(unknownSku.bodyAsJsonObject().getJsonArray("skus")).containsExactly("nope");
    assertThat(unknownStore.statusCode()).isEqualTo(422);
    assertThat(unknownStore.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:unknown-store");
    JsonArray orders = expect(api.get("/v1/orders", token), 200).await().getJsonArray("orders");
    assertThat(orders).isEmpty();
    assertThat(api.stockLevel(store, "a").await().getInteger("held")).isZero();
  }

  @Test
  @DisplayName("orders list newest first, page by page with a cursor, filtered by status, own orders only")
  void listing() {
    String store = storeWith("a", 100);
    String customer = unique("cust");
    String token = api.customerToken(customer);
    for (int i = 0; i < 5; i++) {
      expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await();
    }
    expect(api.place(api.customerToken(unique("other")), cardOrder(store, "tok_visa", items("a", 1))), 201).await();

    JsonObject page1 = expect(api.get("/v1/orders?limit=2", token), 200).await();
    JsonObject page2 = expect(api.get("/v1/orders?limit=2&cursor=" + page1.getString("nextCursor"), token), 200).await();
    JsonObject page3 = expect(api.get("/v1/orders?limit=2&cursor=" + page2.getString("nextCursor"), token), 200).await();

    assertThat(page1.getJsonArray("orders")).hasSize(2);
    assertThat(page2.getJsonArray("orders")).hasSize(2);
    assertThat(page3.getJsonArray("orders")).hasSize(1);
    assertThat(page3.getString("nextCursor")).isNull();
    java.util.List<String> ids = new java.util.ArrayList<>();
    java.util.List<String> created = new java.util.ArrayList<>();
    for (JsonObject page : new JsonObject[] {page1, page2, page3}) {
      page.getJsonArray("orders").forEach(o -> {
        ids.add(((JsonObject) o).getString("orderId"));
        created.add(((JsonObject) o).getString("createdAt"));
        assertThat(((JsonObject) o).getString("customerId")).isEqualTo(customer);
      });
    }
    assertThat(ids).doesNotHaveDuplicates().hasSize(5);
    assertThat(created).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    JsonObject failedOnly = expect(api.get("/v1/orders?status=FAILED", token), 200).await();
    assertThat(failedOnly.getJsonArray("orders")).isEmpty();
  }
}
