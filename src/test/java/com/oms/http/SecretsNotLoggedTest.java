package com.oms.http;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Whatever the service logs, from start-up on, carries no secret: signing keys, webhook secrets, tokens. */
class SecretsNotLoggedTest extends IntegrationTest {

  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

  @Override
  protected void configure(JsonObject config) {
    // runs before the service starts: capture everything it logs from the first line
    captured.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(captured);
  }

  @AfterAll
  void detach() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(captured);
  }

  @Test
  @DisplayName("start-up, orders, a refused webhook, a token in a query string: no secret or token in any log line")
  void noSecretsInLogs() {
    String store = unique("store");
    String customer = api.customerToken(unique("cust"));
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 1000).await();
    String orderId = expect(api.place(customer, cardOrder(store, "tok_visa", items("a", 1))), 201).await()
      .getString("orderId");
    // the gateway key goes with the payment calls: their log lines are read too, and the stop then finds
    // no saga step in the middle of a database call (a stop mid-saga once left the pool unclosed)
    Poll.until(app.vertx, () -> api.order(orderId, customer),
      o -> List.of("INVENTORY_RESERVED", "DELIVERY_PARTNER_ASSIGNED").contains(o.getString("status")), DEADLINE,
      "payment").await();
    api.client().post("/v1/payments/webhooks/upi").putHeader("Oms-Signature", "t=1,v1=forged")
      .sendJsonObject(new JsonObject().put("id", "evt_1")).await();
    api.client().get("/v1/orders?access_token=" + customer).send().await();

    List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines).as("log lines captured").hasSizeGreaterThan(10);
    List<String> secrets = List.of(app.config.auth().jwtSecret(),
      app.config.payment().provider("UPI").getString("webhookSecret"),
      app.config.payment().provider("NET_BANKING").getString("webhookSecret"),
      app.config.payment().gatewayApiKey(), customer, api.adminToken());
    for (String secret : secrets) {
      assertThat(lines).noneMatch(line -> line.contains(secret));
    }
  }
}
