package com.oms.payment;

import static com.oms.testing.Api.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("payment").put("gatewayTimeout", "PT0.3S").put("breakerMaxFailures", 2)
      .put("breakerReset", "PT2S");
  }

  private long chargeStepsEnded() {
    var timer = app.registry.find("oms.saga.step").tag("step", "charge").timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  @DisplayName("after repeated gateway timeouts the card provider is not called until the breaker resets; then payments go through")
  void breakerOpensAndCloses() {
    String store = PaymentTesting.storeWithStock(api, unique("store"), 10, 1000);
    String token = api.customerToken(unique("cust"));
    for (int i = 0; i < 2; i++) {
      String stuck = expect(api.place(token, PaymentTesting.order(store, "CREDIT_CARD", "tok_timeout")), 201).await()
        .getString("orderId");
      Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + stuck + "/payment", token), 200),
        p -> p.getInteger("attempts") == 1, DEADLINE, "an attempt").await();
    }
    // both charge steps have ended (timed out) once the saga has timed two of them
    Poll.until(app.vertx, () -> io.vertx.core.Future.succeededFuture(chargeStepsEnded()), n -> n >= 2, DEADLINE,
      "two timed-out charges").await();

    String good = expect(api.place(token, PaymentTesting.order(store, "CREDIT_CARD", "tok_visa")), 201).await()
      .getString("orderId");

    JsonObject refused = Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + good + "/payment", token), 200),
      p -> p.getInteger("attempts") == 1, DEADLINE, "the attempt the open breaker refused").await();
    assertThat(refused.getString("status")).isEqualTo("PENDING");
    assertThat(app.app.gatewaySimulator().chargeCount("charge-" + good)).as("the gateway was not called").isZero();

    // once the breaker lets calls through again, the sweeper's retry pays the order
    app.clock.advance(Duration.ofSeconds(11));
    Poll.until(app.vertx, () -> api.order(good, token), o -> o.getString("status").equals("INVENTORY_RESERVED"),
      Duration.ofSeconds(20), "the payment after the breaker reset").await();
    assertThat(app.app.gatewaySimulator().chargeCount("charge-" + good)).isEqualTo(1);
  }
}
