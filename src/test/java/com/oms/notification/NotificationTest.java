package com.oms.notification;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.dev.MessagingSimulatorVerticle;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import com.oms.testing.TestStack;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NotificationTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("notification").put("maxAttempts", 3).put("retryBase", "PT1S");
  }

  private MessagingSimulatorVerticle messaging() {
    return app.app.messagingSimulator();
  }

  private String[] deliveredOrder(String email, String phone) {
    String store = unique("store");
    api.store(store, 30.0 + Math.random(), 70.0).await();
    api.stock(store, "a", 10, 2500).await();
    String partner = unique("rider");
    JsonObject stores = expect(api.get("/v1/stores/" + store + "/inventory/a", api.adminToken()), 200).await();
    assertThat(stores.getInteger("onHand")).isEqualTo(10);
    String token = api.customerToken(unique("cust"));
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    body.put("contact", new JsonObject().put("email", email).put("phone", phone));
    String orderId = expect(api.place(token, body), 201).await().getString("orderId");
    return new String[] {orderId, token, store, partner};
  }

  private static String subject(MimeMessage message) {
    try {
      return message.getSubject();
    } catch (Exception e) {
      return "";
    }
  }

  private static String content(MimeMessage message) {
    try {
      return String.valueOf(message.getContent());
    } catch (Exception e) {
      return "";
    }
  }

  private List<MimeMessage> mailFor(String orderId) {
    return TestStack.get().smtp().received().stream().filter(m -> subject(m).contains(orderId)).toList();
  }

  private JsonArray log(String[] order) {
    return logOf(order).await();
  }

  private Future<JsonArray> logOf(String[] order) {
    return expect(api.get("/v1/orders/" + order[0] + "/notifications", order[1]), 200).map(n -> n.getJsonArray("notifications"));
  }

  private void awaitSent(String[] order, String event, String channel) {
    Poll.until(app.vertx, () -> logOf(order), notifications -> notifications.stream()
        .map(n -> (JsonObject) n)
        .anyMatch(n -> n.getString("event").equals(event) && n.getString("channel").equals(channel)
          && n.getString("status").equals("SENT")),
      DEADLINE, event + " by " + channel).await();
  }

  @Test
  @DisplayName("progress (partner assigned, picked up, delivered) reaches the customer by push only; the confirmation by every channel")
  void progressByPushOnly() {
    String store = unique("store");
    double lat = 20.0 + Math.random();
    api.store(store, lat, 75.0).await();
    api.stock(store, "a", 10, 2500).await();
    String partner = unique("rider");
    api.partner(partner, lat, 75.0).await();
    String token = api.customerToken(unique("cust"));
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    body.put("contact", new JsonObject().put("email", "progress@example.com").put("phone", "+919800000001"));
    String orderId = expect(api.place(token, body), 201).await().getString("orderId");
    String[] order = {orderId, token, store, partner};
    Poll.until(app.vertx, () -> api.order(orderId, token),
      o -> o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED"), DEADLINE, "assignment").await();
    String partnerToken = api.partnerToken(partner);
    for (String status : new String[] {"PICKED_UP", "DELIVERED"}) {
      expect(api.post("/v1/deliveries/" + orderId + "/status", partnerToken, new JsonObject().put("status", status)), 200)
        .await();
    }
    for (String channel : new String[] {"EMAIL", "SMS", "PUSH"}) {
      awaitSent(order, "ORDER_CONFIRMED", channel);
    }
    // a notice's channels are all recorded in one statement, once every one of them was attempted
    for (String progress : new String[] {"PARTNER_ASSIGNED", "ORDER_PICKED_UP", "ORDER_DELIVERED"}) {
      awaitSent(order, progress, "PUSH");
    }
    JsonArray sent = log(order);
    for (String progress : new String[] {"PARTNER_ASSIGNED", "ORDER_PICKED_UP", "ORDER_DELIVERED"}) {
      assertThat(sent.stream().map(n -> (JsonObject) n).filter(n -> n.getString("event").equals(progress))
        .map(n -> n.getString("channel"))).as(progress).containsExactly("PUSH");
    }
    assertThat(mailFor(orderId)).hasSize(1);
    assertThat(messaging().delivered("sms").stream().filter(m -> m.getString("body").contains(orderId))).hasSize(1);
    assertThat(messaging().delivered("push").stream().filter(m -> m.getString("body").contains(orderId))).hasSize(4);
  }

  @Test
  @DisplayName("confirmation, cancellation and refund each arrive once by email, SMS and push, naming the order, its status and what next")
  void everyChannel() {
    String email = unique("buyer") + "@example.com";
    String[] order = deliveredOrder(email, "+919812345678");
    awaitSent(order, "ORDER_CONFIRMED", "EMAIL");
    expect(api.post("/v1/orders/" + order[0] + "/cancel", order[1], new JsonObject().put("reason", "plans changed")), 200).await();
    for (String event : new String[] {"ORDER_CONFIRMED", "ORDER_CANCELLED", "ORDER_REFUNDED"}) {
      for (String channel : new String[] {"EMAIL", "SMS", "PUSH"}) {
        awaitSent(order, event, channel);
      }
    }

    List<MimeMessage> mail = mailFor(order[0]);
    assertThat(mail).extracting(NotificationTest::subject).containsExactlyInAnyOrder(
      "Order " + order[0] + " confirmed", "Order " + order[0] + " cancelled", "Refund for order " + order[0]);
    MimeMessage cancelled = mail.stream().filter(m -> subject(m).endsWith("cancelled")).findFirst().orElseThrow();
    assertThat(content(cancelled)).contains("plans changed").contains("Status: CANCELLED").contains("What happens next")
      .contains("INR 25.00");
    assertThat(messaging().delivered("sms").stream().filter(m -> m.getString("body").contains(order[0])))
      .hasSize(3).allSatisfy(m -> assertThat(m.getString("to")).isEqualTo("+919812345678"));
    assertThat(messaging().delivered("push").stream().filter(m -> m.getString("body").contains(order[0]))).hasSize(3);
  }

  @Test
  @DisplayName("a provider that is down is retried with backoff and delivers once when it is back, without resending the other channels")
  void providerDownThenBack() {
    messaging().down(true);
    String[] order = deliveredOrder(unique("buyer") + "@example.com", "+919800000001");
    awaitSent(order, "ORDER_CONFIRMED", "EMAIL");
    Poll.until(app.vertx, () -> logOf(order), n -> n.stream().map(x -> (JsonObject) x)
      .anyMatch(x -> x.getString("channel").equals("SMS") && x.getInteger("attempts") >= 1 && x.getString("lastError") != null),
      DEADLINE, "a failed SMS attempt").await();

    messaging().down(false);
    app.clock.advance(Duration.ofSeconds(5));
    awaitSent(order, "ORDER_CONFIRMED", "SMS");
    awaitSent(order, "ORDER_CONFIRMED", "PUSH");

    assertThat(messaging().delivered("sms").stream().filter(m -> m.getString("body").contains(order[0]))).hasSize(1);
    assertThat(mailFor(order[0])).hasSize(1);
  }

  @Test
  @DisplayName("a send that times out at the provider but arrived is not delivered twice on retry")
  void timeoutThenRetryDeliversOnce() {
    messaging().latency(1500);
    String[] order = deliveredOrder(unique("buyer") + "@example.com", "+919800000002");
    Poll.until(app.vertx, () -> logOf(order), n -> n.stream().map(x -> (JsonObject) x)
      .anyMatch(x -> x.getString("channel").equals("SMS") && x.getInteger("attempts") >= 1
        && String.valueOf(x.getString("lastError")).contains("timeout")), DEADLINE, "a timed-out SMS").await();
    messaging().latency(0);
    app.clock.advance(Duration.ofSeconds(5));
    awaitSent(order, "ORDER_CONFIRMED", "SMS");

    assertThat(messaging().delivered("sms").stream().filter(m -> m.getString("body").contains(order[0]))).hasSize(1);
  }

  @Test
  @DisplayName("a notification out of attempts is DEAD, visible in the log, and sent when an admin retries it")
  void deadThenRetried() {
    messaging().down(true);
    String[] order = deliveredOrder(unique("buyer") + "@example.com", "+919800000003");
    // time moves on while we wait, so each retry falls due
    JsonObject dead = Poll.until(app.vertx, () -> {
      app.clock.advance(Duration.ofSeconds(30));
      return logOf(order);
    }, n -> n.stream().map(x -> (JsonObject) x)
        .anyMatch(x -> x.getString("channel").equals("SMS") && x.getString("status").equals("DEAD")), DEADLINE, "DEAD")
      .await().stream().map(x -> (JsonObject) x)
      .filter(x -> x.getString("channel").equals("SMS") && x.getString("status").equals("DEAD")).findFirst().orElseThrow();
    assertThat(dead.getInteger("attempts")).isEqualTo(3);
    messaging().down(false);

    assertThat(api.post("/v1/notifications/" + dead.getString("id") + "/retry", order[1], null).await().statusCode()).isEqualTo(403);
    JsonObject revived = expect(api.post("/v1/notifications/" + dead.getString("id") + "/retry", api.adminToken(), null), 200).await();
    assertThat(revived.getString("status")).isEqualTo("PENDING");
    awaitSent(order, "ORDER_CONFIRMED", "SMS");
    assertThat(api.post("/v1/notifications/" + dead.getString("id") + "/retry", api.adminToken(), null).await().statusCode()).isEqualTo(409);
  }

  @Test
  @DisplayName("crash between transition and send: the notice waits in the outbox and is sent when the relay is back")
  void outboxSurvivesCrash() {
    app.app.stopVerticle("notification").await();
    String[] order;
    try {
      order = deliveredOrder(unique("buyer") + "@example.com", "+919800000004");
      Poll.until(app.vertx, () -> api.order(order[0], order[1]), o -> o.getString("status").equals("INVENTORY_RESERVED"),
        DEADLINE, "payment").await();
      Long pending = app.app.pool().preparedQuery("SELECT count(*) AS n FROM outbox WHERE order_id = $1 AND dispatched_at IS NULL")
        .execute(Tuple.of(UUID.fromString(order[0]))).await().iterator().next().getLong("n");
      assertThat(pending).isEqualTo(1);
      assertThat(mailFor(order[0])).isEmpty();
    } finally {
      app.app.startVerticle("notification").await();
    }
    awaitSent(order, "ORDER_CONFIRMED", "EMAIL");
    assertThat(mailFor(order[0])).hasSize(1);
  }

  @Test
  @DisplayName("an event leased by a relay that died before recording it is left alone until the lease ends, then sent")
  void leaseOfDeadRelayRunsOut() {
    app.app.stopVerticle("notification").await();
    String[] leased;
    try {
      leased = deliveredOrder(unique("buyer") + "@example.com", "+919800000007");
      Poll.until(app.vertx, () -> app.app.pool().preparedQuery("SELECT count(*) AS n FROM outbox WHERE order_id = $1")
          .execute(Tuple.of(UUID.fromString(leased[0]))).map(rows -> rows.iterator().next().getLong("n")), n -> n == 1,
        DEADLINE, "the confirmation in the outbox").await();
      // as a relay leaves an event it took and sent, then died before writing anything about it
      app.app.pool().preparedQuery("UPDATE outbox SET lease_until = $2 WHERE order_id = $1")
        .execute(Tuple.of(UUID.fromString(leased[0]), app.clock.instant().plusSeconds(60).atOffset(java.time.ZoneOffset.UTC))).await();
    } finally {
      app.app.startVerticle("notification").await();
    }
    // an order placed after it is relayed: the relay runs, and passes the leased event by
    String[] later = deliveredOrder(unique("buyer") + "@example.com", "+919800000008");
    awaitSent(later, "ORDER_CONFIRMED", "EMAIL");
    assertThat(log(leased)).isEmpty();
    assertThat(mailFor(leased[0])).isEmpty();

    app.clock.advance(Duration.ofSeconds(61));
    awaitSent(leased, "ORDER_CONFIRMED", "EMAIL");
    awaitSent(leased, "ORDER_CONFIRMED", "SMS");
    assertThat(mailFor(leased[0])).hasSize(1);
  }

  @Test
  @DisplayName("the same event relayed again makes no second message")
  void replayedEvent() {
    String[] order = deliveredOrder(unique("buyer") + "@example.com", "+919800000005");
    awaitSent(order, "ORDER_CONFIRMED", "SMS");
    awaitSent(order, "ORDER_CONFIRMED", "EMAIL");

    app.app.pool().preparedQuery("UPDATE outbox SET dispatched_at = NULL WHERE order_id = $1")
      .execute(Tuple.of(UUID.fromString(order[0]))).await();
    Poll.until(app.vertx, () -> app.app.pool().preparedQuery("SELECT count(*) AS n FROM outbox WHERE order_id = $1 AND dispatched_at IS NULL")
      .execute(Tuple.of(UUID.fromString(order[0]))).map(rows -> rows.iterator().next().getLong("n")), n -> n == 0, DEADLINE,
      "the replay to be relayed").await();

    assertThat(log(order).stream().filter(n -> ((JsonObject) n).getString("event").equals("ORDER_CONFIRMED"))).hasSize(3);
    assertThat(mailFor(order[0])).hasSize(1);
    assertThat(messaging().delivered("sms").stream().filter(m -> m.getString("body").contains(order[0]))).hasSize(1);
  }

  @Test
  @DisplayName("the customer's channel choice on the order is respected")
  void channelPreferences() {
    String store = unique("store");
    api.store(store, 40.0, 70.0).await();
    api.stock(store, "a", 10, 100).await();
    String token = api.customerToken(unique("cust"));
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    body.put("contact", new JsonObject().put("email", "x@example.com").put("phone", "+919800000006")
      .put("channels", new JsonArray().add("SMS")));
    String[] order = {expect(api.place(token, body), 201).await().getString("orderId"), token};
    awaitSent(order, "ORDER_CONFIRMED", "SMS");
    assertThat(log(order).stream().map(n -> ((JsonObject) n).getString("channel")).distinct()).containsExactly("SMS");
  }
}
