package com.oms.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  @Test
  @DisplayName("delays grow exponentially within [half, full] of the ceiling, capped, and attempts run out")
  void backoff() {
    RetrySchedule schedule = new RetrySchedule(Duration.ofSeconds(2), Duration.ofSeconds(60), 5, new Random(42));
    for (int attempt = 1; attempt <= 10; attempt++) {
      long ceiling = Math.min(60_000, 2_000L << (attempt - 1));
      long delay = schedule.delayAfter(attempt).toMillis();
      assertThat(delay).isBetween(ceiling / 2, ceiling);
    }
    assertThat(schedule.exhausted(4)).isFalse();
    assertThat(schedule.exhausted(5)).isTrue();
  }

  @Test
  @DisplayName("templates name the order, its status and what happens next")
  void templates() {
    RenderedMessage message = new Templates().render("EMAIL", "ORDER_CANCELLED", new io.vertx.core.json.JsonObject()
      .put("orderId", "o-1").put("status", "CANCELLED").put("reason", "changed my mind")
      .put("total", new io.vertx.core.json.JsonObject().put("amount", 12345).put("currency", "INR")));
    assertThat(message.subject()).isEqualTo("Order o-1 cancelled");
    assertThat(message.body()).contains("changed my mind").contains("CANCELLED").contains("INR 123.45")
      .contains("What happens next");
  }

  @Test
  @DisplayName("an email's body is two lines: what happened, then the status and what happens next")
  void emailBodiesAreTwoLines() {
    // the mail client writes every line of a body to the socket on its own, once the previous one is out:
    // each line is a system call on both ends, and email was the largest share of the service's writes
    for (String event : java.util.List.of("ORDER_CONFIRMED", "PARTNER_ASSIGNED", "ORDER_PICKED_UP", "ORDER_DELIVERED",
      "ORDER_DELAYED", "ORDER_FAILED", "ORDER_CANCELLED", "ORDER_REFUNDED")) {
      RenderedMessage message = new Templates().render("EMAIL", event, new io.vertx.core.json.JsonObject()
        .put("orderId", "3f1c2a7e-0000-4000-8000-000000000001").put("status", "SOME_STATUS").put("reason", "a reason")
        .put("partnerId", "rider-1").put("total", new io.vertx.core.json.JsonObject().put("amount", 100).put("currency", "INR")));
      String[] lines = message.body().split("\n");
      assertThat(lines).as(event).hasSize(2);
      assertThat(lines[1]).as(event).startsWith("Status: SOME_STATUS.");
      assertThat(lines).as(event + ": within SMTP's line limit, so sent as 7bit, not re-wrapped")
        .allSatisfy(line -> assertThat(line.length()).isLessThan(998));
    }
  }
}
