package com.oms.payment;

import static com.oms.testing.Api.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every method through the gateway simulator (or the wallet): success, decline, gateway error, timeout. */
class PaymentMethodsTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("payment").put("gatewayTimeout", "PT0.5S").put("webhookDelay", "PT0.05S");
  }

  static Stream<Arguments> outcomes() {
    return Stream.of(
      Arguments.of("CREDIT_CARD", "tok_visa", "INVENTORY_RESERVED", null),
      Arguments.of("CREDIT_CARD", "tok_chargeDeclined", "FAILED", "payment declined: card_declined"),
      Arguments.of("CREDIT_CARD", "tok_insufficientFunds", "FAILED", "payment declined: insufficient_funds"),
      Arguments.of("CREDIT_CARD", "tok_gatewayError", "FAILED", "payment failed: gateway_502"),
      Arguments.of("UPI", "success@upi", "INVENTORY_RESERVED", null),
      Arguments.of("UPI", "failure@upi", "FAILED", "payment declined: declined_by_customer"),
      Arguments.of("UPI", "insufficient@upi", "FAILED", "payment declined: insufficient_funds"),
      Arguments.of("UPI", "error@upi", "FAILED", "payment failed: gateway_502"),
      Arguments.of("NET_BANKING", "TESTBANK", "INVENTORY_RESERVED", null),
      Arguments.of("NET_BANKING", "TESTBANK_DECLINE", "FAILED", "payment declined: declined_by_bank"),
      Arguments.of("NET_BANKING", "TESTBANK_NOFUNDS", "FAILED", "payment declined: insufficient_funds"),
      Arguments.of("NET_BANKING", "TESTBANK_ERROR", "FAILED", "payment failed: gateway_502"),
      Arguments.of("WALLET", "funded", "INVENTORY_RESERVED", null),
      Arguments.of("WALLET", "short", "FAILED", "payment declined: insufficient_funds"),
      Arguments.of("WALLET", "none", "FAILED", "payment declined: no_wallet"));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("outcomes")
  @DisplayName("each method's test instrument leads to its outcome, and a failed payment gives the stock back")
  void outcome(String method, String instrument, String status, String reason) {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String customer = unique("cust");
    if (method.equals("WALLET") && !instrument.equals("none")) {
      expect(api.client().post("/v1/wallets/" + customer + "/topups")
        .putHeader("Authorization", "Bearer " + api.adminToken()).putHeader("Idempotency-Key", unique("k"))
        .sendJsonObject(new JsonObject().put("amount", new JsonObject()
          .put("amount", instrument.equals("funded") ? 5000 : 500).put("currency", "INR"))), 200).await();
    }
    String token = api.customerToken(customer);

    String orderId = expect(api.place(token, PaymentTesting.order(store, method, instrument)), 201).await()
      .getString("orderId");

    JsonObject order = Poll.until(app.vertx, () -> api.order(orderId, token),
      o -> o.getString("status").equals(status), DEADLINE, "status " + status).await();
    assertThat(order.getString("failureReason")).isEqualTo(reason);
    JsonObject stock = Poll.until(app.vertx, () -> api.stockLevel(store, "a"),
      s -> s.getInteger("held") == 0, DEADLINE, "the hold to be committed or released").await();
    assertThat(stock.getInteger("reserved")).isEqualTo(status.equals("FAILED") ? 0 : 1);
  }

  static Stream<Arguments> timeouts() {
    return Stream.of(Arguments.of("CREDIT_CARD", "tok_timeout"), Arguments.of("UPI", "timeout@upi"),
      Arguments.of("NET_BANKING", "TESTBANK_TIMEOUT"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("timeouts")
  @DisplayName("a gateway that never answers is not a decline: the order waits, the retry asks first, nothing is charged twice")
  void timeoutIsNotADecline(String method, String instrument) {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, PaymentTesting.order(store, method, instrument)), 201).await()
      .getString("orderId");

    JsonObject first = Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + orderId + "/payment", token), 200),
      p -> p.getInteger("attempts") == 1, DEADLINE, "the first attempt").await();
    // the sweeper retries stalled orders: move time past its threshold
    app.clock.advance(Duration.ofSeconds(11));
    JsonObject second = Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + orderId + "/payment", token), 200),
      p -> p.getInteger("attempts") >= 2, DEADLINE, "a retry").await();

    assertThat(first.getString("status")).isEqualTo("PENDING");
    assertThat(second.getString("status")).isEqualTo("PENDING");
    assertThat(api.order(orderId, token).await().getString("status")).isEqualTo("PAYMENT_PENDING");
    assertThat(app.app.gatewaySimulator().chargeCount("charge-" + orderId)).isZero();

    app.clock.advance(app.config.order().paymentWindow());
    JsonObject cancelled = Poll.until(app.vertx, () -> api.order(orderId, token),
      o -> o.getString("status").equals("CANCELLED"), DEADLINE, "the payment window to close").await();
    assertThat(cancelled.getString("failureReason")).startsWith("payment window elapsed");
  }

  @Test
  @DisplayName("UPI and net banking wait in PAYMENT_PENDING with the customer's next action, then complete by webhook")
  void asynchronousNextAction() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 5, 1000);
    String token = api.customerToken(unique("cust"));
    String upi = expect(api.place(token, PaymentTesting.order(store, "UPI", "pending@upi")), 201).await().getString("orderId");
    String bank = expect(api.place(token, PaymentTesting.order(store, "NET_BANKING", "TESTBANK_ABANDON")), 201).await()
      .getString("orderId");

    JsonObject upiOrder = Poll.until(app.vertx, () -> api.order(upi, token),
      o -> o.getJsonObject("payment").getValue("nextAction") != null, DEADLINE, "the collect request").await();
    JsonObject bankOrder = Poll.until(app.vertx, () -> api.order(bank, token),
      o -> o.getJsonObject("payment").getValue("nextAction") != null, DEADLINE, "the bank redirect").await();

    assertThat(upiOrder.getString("status")).isEqualTo("PAYMENT_PENDING");
    assertThat(upiOrder.getJsonObject("payment").getJsonObject("nextAction").getString("type")).isEqualTo("UPI_COLLECT");
    assertThat(bankOrder.getJsonObject("payment").getJsonObject("nextAction").getString("type")).isEqualTo("REDIRECT");
    assertThat(bankOrder.getJsonObject("payment").getJsonObject("nextAction").getString("url")).contains("/bank/nb_");
  }
}
