package com.oms.payment;

import static com.oms.testing.Api.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Addresses;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WalletAndRefundTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("payment").put("webhookDelay", "PT0.05S");
  }

  private JsonObject topUp(String customer, long amount, String key) {
    return expect(api.client().post("/v1/wallets/" + customer + "/topups")
      .putHeader("Authorization", "Bearer " + api.adminToken()).putHeader("Idempotency-Key", key)
      .sendJsonObject(new JsonObject().put("amount", new JsonObject().put("amount", amount).put("currency", "INR"))), 200)
      .await();
  }

  @Test
  @DisplayName("30 orders spending one wallet at once never overdraw it: exactly what fits is paid, the rest declined")
  void concurrentSpendsNeverOverdraw() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 100, 1500);
    String customer = unique("cust");
    String token = api.customerToken(customer);
    String key = unique("topup");
    topUp(customer, 10_000, key);
    JsonObject replay = topUp(customer, 10_000, key);
    assertThat(replay.getBoolean("replayed")).isTrue();
    assertThat(replay.getJsonObject("balance").getLong("amount")).isEqualTo(10_000);

    List<Future<HttpResponse<Buffer>>> placed = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      placed.add(api.place(token, PaymentTesting.order(store, "WALLET", null)));
    }
    Future.all(placed).await();
    List<String> ids = placed.stream().map(r -> r.result().bodyAsJsonObject().getString("orderId")).toList();
    List<JsonObject> settled = new ArrayList<>();
    for (String id : ids) {
      settled.add(Poll.until(app.vertx, () -> api.order(id, token),
        o -> o.getString("status").equals("INVENTORY_RESERVED") || o.getString("status").equals("FAILED"),
        DEADLINE, "payment of " + id).await());
    }

    long paid = settled.stream().filter(o -> o.getString("status").equals("INVENTORY_RESERVED")).count();
    assertThat(paid).isEqualTo(6);
    JsonObject wallet = expect(api.get("/v1/wallets/me", token), 200).await();
    assertThat(wallet.getJsonObject("balance").getLong("amount")).isEqualTo(10_000 - 6 * 1500);
    assertThat(settled.stream().filter(o -> o.getString("status").equals("FAILED"))
      .map(o -> o.getString("failureReason")).distinct()).containsExactly("payment declined: insufficient_funds");
  }

  @Test
  @DisplayName("a refund happens once, whatever is retried: five concurrent refund commands, a second cancel, one refund")
  void refundExactlyOnce() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, PaymentTesting.order(store, "CREDIT_CARD", "tok_visa")), 201).await()
      .getString("orderId");
    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("INVENTORY_RESERVED"),
      DEADLINE, "payment").await();
    long before = app.app.gatewaySimulator().refundsMade();

    expect(api.post("/v1/orders/" + orderId + "/cancel", token, new JsonObject().put("reason", "test")), 200).await();
    List<Future<?>> retries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      retries.add(app.vertx.eventBus().request(Addresses.PAYMENT_REFUND, new JsonObject().put("orderId", orderId)));
    }
    Future.join(retries).otherwiseEmpty().await();
    expect(api.post("/v1/orders/" + orderId + "/cancel", token, new JsonObject().put("reason", "test")), 200).await();

    assertThat(app.app.gatewaySimulator().refundsMade()).isEqualTo(before + 1);
    JsonObject payment = expect(api.get("/v1/orders/" + orderId + "/payment", token), 200).await();
    assertThat(payment.getString("status")).isEqualTo("REFUNDED");
    assertThat(payment.getJsonObject("refund").getString("status")).isEqualTo("SUCCEEDED");
  }

  @Test
  @DisplayName("a wallet payment is credited back once when its order is cancelled")
  void walletRefund() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String customer = unique("cust");
    String token = api.customerToken(customer);
    topUp(customer, 5000, unique("topup"));
    String orderId = expect(api.place(token, PaymentTesting.order(store, "WALLET", null)), 201).await().getString("orderId");
    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("INVENTORY_RESERVED"),
      DEADLINE, "payment").await();

    expect(api.post("/v1/orders/" + orderId + "/cancel", token, new JsonObject().put("reason", "test")), 200).await();
    app.vertx.eventBus().request(Addresses.PAYMENT_REFUND, new JsonObject().put("orderId", orderId)).await();

    JsonObject wallet = expect(api.get("/v1/wallets/me", token), 200).await();
    assertThat(wallet.getJsonObject("balance").getLong("amount")).isEqualTo(5000);
    assertThat(wallet.getJsonArray("transactions").stream().map(t -> ((JsonObject) t).getString("kind")).toList())
      .containsExactly("CREDIT", "DEBIT", "TOPUP");
  }

  @Test
  @DisplayName("a capture that lands after its order was cancelled is refunded at once, once, even when the webhook repeats")
  void lateCaptureIsRefunded() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, PaymentTesting.order(store, "UPI", "pending@upi")), 201).await()
      .getString("orderId");
    Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + orderId + "/payment", token), 200),
      p -> p.getString("reference") != null, DEADLINE, "the collect request").await();
    String reference = expect(api.get("/v1/orders/" + orderId + "/payment", token), 200).await().getString("reference");
    expect(api.post("/v1/orders/" + orderId + "/cancel", token, new JsonObject().put("reason", "too slow")), 200).await();
    long before = app.app.gatewaySimulator().refundsMade();
    // the customer approved the collect request after all: the gateway captured the money
    app.app.gatewaySimulator().capture(reference);

    String secret = app.config.payment().provider("UPI").getString("webhookSecret");
    byte[] event = new JsonObject().put("id", "evt_" + UUID.randomUUID()).put("type", "payment.captured")
      .put("data", new JsonObject().put("reference", orderId).put("paymentId", reference)).encode()
      .getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 3; i++) {
      expect(api.client().post("/v1/payments/webhooks/upi").putHeader("Content-Type", "application/json")
        .putHeader(com.oms.payment.WebhookSignature.HEADER,
          com.oms.payment.WebhookSignature.sign(secret, app.clock.instant(), event))
        .sendBuffer(Buffer.buffer(event)), 200).await();
    }

    JsonObject payment = expect(api.get("/v1/orders/" + orderId + "/payment", token), 200).await();
    assertThat(payment.getString("status")).isEqualTo("REFUNDED");
    assertThat(app.app.gatewaySimulator().refundsMade()).isEqualTo(before + 1);
    assertThat(api.order(orderId, token).await().getString("status")).isEqualTo("CANCELLED");
  }
}
