package com.oms.payment;

import static com.oms.testing.Api.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebhookTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("payment").put("webhookDelay", "PT0.05S");
  }

  private String upiSecret() {
    return app.config.payment().provider("UPI").getString("webhookSecret");
  }

  /** An order whose UPI collect was accepted and that waits for its webhook, which the simulator never sends. */
  private String[] waitingOrder() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, PaymentTesting.order(store, "UPI", "pending@upi")), 201).await()
      .getString("orderId");
    Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + orderId + "/payment", token), 200),
      p -> p.getString("reference") != null, DEADLINE, "the collect request").await();
    return new String[] {orderId, token, store};
  }

  private JsonObject captured(String orderId, String eventId) {
    return new JsonObject().put("id", eventId).put("type", "payment.captured")
      .put("data", new JsonObject().put("reference", orderId).put("paymentId", "upi_test"));
  }

  private HttpResponse<Buffer> deliver(String provider, byte[] body, String signature) {
    var request = api.client().post("/v1/payments/webhooks/" + provider).putHeader("Content-Type", "application/json");
    if (signature != null) {
      request.putHeader(WebhookSignature.HEADER, signature);
    }
    return request.sendBuffer(Buffer.buffer(body)).await();
  }

  private static byte[] bytes(JsonObject json) {
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("a tampered body, a wrong secret, a stale or missing signature are refused with 401 and change nothing")
  void forgedWebhooksAreRefused() {
    String[] order = waitingOrder();
    byte[] genuine = bytes(captured(order[0], "evt_" + UUID.randomUUID()));
    Instant now = app.clock.instant();
    byte[] tampered = new String(genuine, StandardCharsets.UTF_8).replace("upi_test", "upi_evil").getBytes(StandardCharsets.UTF_8);

    HttpResponse<Buffer> tamperedBody = deliver("upi", tampered, WebhookSignature.sign(upiSecret(), now, genuine));
    HttpResponse<Buffer> wrongSecret = deliver("upi", genuine, WebhookSignature.sign("not-the-secret", now, genuine));
    HttpResponse<Buffer> stale = deliver("upi", genuine, WebhookSignature.sign(upiSecret(), now.minus(Duration.ofMinutes(6)), genuine));
    HttpResponse<Buffer> unsigned = deliver("upi", genuine, null);
    HttpResponse<Buffer> unknownProvider = deliver("bitcoin", genuine, WebhookSignature.sign(upiSecret(), now, genuine));

    for (HttpResponse<Buffer> refused : new HttpResponse[] {tamperedBody, wrongSecret, stale, unsigned}) {
      assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(401);
      assertThat(refused.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:webhook-rejected");
    }
    assertThat(unknownProvider.statusCode()).isEqualTo(400);
    JsonObject payment = expect(api.get("/v1/orders/" + order[0] + "/payment", order[1]), 200).await();
    assertThat(payment.getString("status")).isEqualTo("PENDING");
    assertThat(payment.getJsonArray("events")).isEmpty();
    assertThat(api.order(order[0], order[1]).await().getString("status")).isEqualTo("PAYMENT_PENDING");

    // the same event, signed properly, is accepted and moves the order on
    HttpResponse<Buffer> good = deliver("upi", genuine, WebhookSignature.sign(upiSecret(), now, genuine));
    assertThat(good.statusCode()).isEqualTo(200);
    Poll.until(app.vertx, () -> api.order(order[0], order[1]), o -> o.getString("status").equals("INVENTORY_RESERVED"),
      DEADLINE, "the signed webhook to take effect").await();
  }

  @Test
  @DisplayName("a duplicate event is acknowledged and ignored; a late 'authorized' after 'captured' does not move the payment back")
  void duplicatesAndOrder() {
    String[] order = waitingOrder();
    String eventId = "evt_" + UUID.randomUUID();
    byte[] capture = bytes(captured(order[0], eventId));
    byte[] lateAuthorize = bytes(new JsonObject().put("id", "evt_" + UUID.randomUUID()).put("type", "payment.authorized")
      .put("data", new JsonObject().put("reference", order[0]).put("paymentId", "upi_test")));
    Instant now = app.clock.instant();

    HttpResponse<Buffer> first = deliver("upi", capture, WebhookSignature.sign(upiSecret(), now, capture));
    HttpResponse<Buffer> again = deliver("upi", capture, WebhookSignature.sign(upiSecret(), now, capture));
    HttpResponse<Buffer> late = deliver("upi", lateAuthorize, WebhookSignature.sign(upiSecret(), now, lateAuthorize));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getBoolean("duplicate")).isTrue();
    assertThat(late.statusCode()).isEqualTo(200);
    JsonObject payment = expect(api.get("/v1/orders/" + order[0] + "/payment", order[1]), 200).await();
    assertThat(payment.getString("status")).isEqualTo("SUCCEEDED");
    JsonArray events = payment.getJsonArray("events");
    assertThat(events).hasSize(2);
    JsonObject reserved = Poll.until(app.vertx, () -> api.order(order[0], order[1]),
      o -> o.getString("status").equals("INVENTORY_RESERVED"), DEADLINE, "reservation").await();
    JsonArray history = expect(api.get("/v1/orders/" + order[0] + "/events", order[1]), 200).await().getJsonArray("events");
    assertThat(history.stream().filter(e -> ((JsonObject) e).getString("to").equals("PAYMENT_SUCCESS"))).hasSize(1);
    assertThat(reserved.getJsonObject("payment").getString("status")).isEqualTo("SUCCEEDED");
  }

  @Test
  @DisplayName("the simulator's own duplicate and out-of-order deliveries end with one successful payment")
  void simulatorDeliveries() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    for (String vpa : new String[] {"duplicate@upi", "reorder@upi"}) {
      String orderId = expect(api.place(token, PaymentTesting.order(store, "UPI", vpa)), 201).await().getString("orderId");
      Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("INVENTORY_RESERVED"),
        DEADLINE, vpa + " to be paid").await();
      JsonObject payment = Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + orderId + "/payment", token), 200),
        p -> p.getJsonArray("events").size() >= (vpa.startsWith("duplicate") ? 1 : 2), DEADLINE, "events").await();
      assertThat(payment.getString("status")).isEqualTo("SUCCEEDED");
    }
  }

  @Test
  @DisplayName("a webhook that never arrives: the payment window closes, the order is cancelled and its stock released")
  void webhookNeverArrives() {
    String[] order = waitingOrder();
    app.clock.advance(app.config.order().paymentWindow().plusSeconds(1));

    JsonObject cancelled = Poll.until(app.vertx, () -> api.order(order[0], order[1]),
      o -> o.getString("status").equals("CANCELLED"), DEADLINE, "the window to close").await();

    assertThat(cancelled.getString("failureReason")).startsWith("payment window elapsed");
    Poll.until(app.vertx, () -> api.stockLevel(order[2], "a"), s -> s.getInteger("held") == 0, DEADLINE, "release").await();
    // compensation releases the stock and voids the payment side by side: either may finish first
    JsonObject payment = Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + order[0] + "/payment", order[1]), 200),
      p -> !p.getString("status").equals("PENDING"), DEADLINE, "the payment to be voided").await();
    assertThat(payment.getString("status")).isEqualTo("FAILED");
    assertThat(payment.getString("declineCode")).isEqualTo("voided");
  }
}
