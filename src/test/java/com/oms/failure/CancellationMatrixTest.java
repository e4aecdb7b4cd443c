package com.oms.failure;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way an order ends early, at every step it can happen, with what is left afterwards: stock,
 * payment, partner, notifications and the compensation record.
 */
class CancellationMatrixTest extends IntegrationTest {

  private static final AtomicInteger AREA = new AtomicInteger();

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("payment").put("gatewayTimeout", "PT0.3S");
  }

  /** A store in an area of its own (partners elsewhere are out of range), stocked, with one partner. */
  private String[] world(boolean withPartner) {
    double lat = -40 + 0.5 * AREA.incrementAndGet();
    String store = unique("store");
    api.store(store, lat, 10.0).await();
    api.stock(store, "a", 10, 1000).await();
    String partner = unique("rider");
    if (withPartner) {
      api.partner(partner, lat + 0.001, 10.0).await();
    }
    return new String[] {store, partner};
  }

  private String[] place(String store, String instrument) {
    return place(store, instrument, null);
  }

  private String[] place(String store, String instrument, java.time.Instant pickupAt) {
    String token = api.customerToken(unique("cust"));
    JsonObject body = cardOrder(store, instrument, items("a", 3));
    if (pickupAt != null) {
      body.getJsonObject("delivery").put("pickupAt", pickupAt.toString());
    }
    body.put("contact", new JsonObject().put("email", unique("c") + "@example.com"));
    String orderId = expect(api.place(token, body), 201).await().getString("orderId");
    return new String[] {orderId, token};
  }

  private JsonObject await(String[] order, String status) {
    return Poll.until(app.vertx, () -> api.order(order[0], order[1]), o -> o.getString("status").equals(status),
      DEADLINE, order[0] + " to be " + status).await();
  }

  static Stream<Arguments> cancellations() {
    return Stream.of(
      Arguments.of("customer", "PAYMENT_PENDING"),
      Arguments.of("customer", "INVENTORY_RESERVED"),
      Arguments.of("customer", "DELIVERY_PARTNER_ASSIGNED"),
      Arguments.of("admin", "PAYMENT_PENDING"),
      Arguments.of("admin", "DELIVERY_PARTNER_ASSIGNED"),
      Arguments.of("admin", "PICKED_UP"),
      Arguments.of("expiry", "INVENTORY_RESERVED"),
      Arguments.of("expiry", "DELIVERY_PARTNER_ASSIGNED"),
      Arguments.of("payment window", "PAYMENT_PENDING"));
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("cancellations")
  @DisplayName("a cancellation undoes exactly what was done: stock, payment, partner, and the customer is told")
  void cancelled(String by, String at) {
    boolean partnerStep = at.equals("DELIVERY_PARTNER_ASSIGNED") || at.equals("PICKED_UP");
    String[] world = world(partnerStep);
    // an order waiting for its partner would otherwise fail for want of one before it expires: schedule
    // its pickup after the expiry, so it waits for its slot instead
    java.time.Instant pickupAt = by.equals("expiry") && at.equals("INVENTORY_RESERVED")
      ? app.clock.instant().plus(Duration.ofHours(60)) : null;
    String[] order = place(world[0], at.equals("PAYMENT_PENDING") ? "tok_timeout" : "tok_visa", pickupAt);
    await(order, at.equals("PICKED_UP") ? "DELIVERY_PARTNER_ASSIGNED" : at);
    if (at.equals("PICKED_UP")) {
      expect(api.post("/v1/deliveries/" + order[0] + "/status", api.partnerToken(world[1]),
        new JsonObject().put("status", "PICKED_UP")), 200).await();
    }
    boolean paid = !at.equals("PAYMENT_PENDING");

    switch (by) {
      case "customer" -> expect(api.post("/v1/orders/" + order[0] + "/cancel", order[1],
        new JsonObject().put("reason", "changed my mind")), 200).await();
      case "admin" -> expect(api.post("/v1/orders/" + order[0] + "/cancel", api.adminToken(),
        new JsonObject().put("reason", "store closed")), 200).await();
      case "expiry" -> app.clock.advance(Duration.ofHours(49));
      default -> app.clock.advance(app.config.order().paymentWindow().plusMinutes(1));
    }

    JsonObject cancelled = await(order, "CANCELLED");
    JsonObject settled = Poll.until(app.vertx, () -> api.order(order[0], order[1]),
      o -> !o.getJsonObject("payment").getString("status").equals("SUCCEEDED"), DEADLINE, "the refund").await();
    JsonObject stock = Poll.until(app.vertx, () -> api.stockLevel(world[0], "a"),
      s -> s.getInteger("held") + s.getInteger("reserved") == 0, DEADLINE, "stock back").await();

    assertThat(cancelled.getString("failureReason")).isNotBlank();
    assertThat(stock.getInteger("onHand")).as("picked-up stock has left the shelf").isEqualTo(at.equals("PICKED_UP") ? 7 : 10);
    assertThat(settled.getJsonObject("payment").getString("status")).isEqualTo(paid ? "REFUNDED" : "PENDING");
    assertThat(app.app.gatewaySimulator().refundsFor(order[0])).isEqualTo(paid ? 1 : 0);
    String delivery = null;
    if (partnerStep) {
      JsonObject deliveries = expect(api.get("/v1/partners/" + world[1] + "/deliveries", api.adminToken()), 200).await();
      delivery = deliveries.getJsonArray("deliveries").getJsonObject(0).getString("status");
      // moving the clock two days also makes the partner miss the pickup first: then they were released
      assertThat(delivery).isIn("CANCELLED", by.equals("expiry") ? "RELEASED" : "CANCELLED");
      Integer active = app.app.pool().preparedQuery("SELECT active_deliveries FROM partners WHERE partner_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(world[1])).await().iterator().next().getInteger("active_deliveries");
      assertThat(active).as("the partner is free again").isZero();
    }
    // each step is recorded once it succeeded, a moment after its effect (the stock back) shows
    JsonObject history = Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + order[0] + "/events", order[1]), 200),
      h -> h.getJsonArray("compensation").stream().anyMatch(s -> "RELEASE_STOCK".equals(((JsonObject) s).getString("step")))
        && (!paid || h.getJsonArray("compensation").stream().anyMatch(s -> "REFUND_PAYMENT".equals(((JsonObject) s).getString("step")))),
      DEADLINE, "compensation recorded").await();
    List<String> steps = history.getJsonArray("compensation").stream().map(s -> ((JsonObject) s).getString("step")).toList();
    assertThat(steps).contains("RELEASE_STOCK");
    if (paid) {
      assertThat(steps).contains("REFUND_PAYMENT");
    }
    if ("CANCELLED".equals(delivery)) {
      assertThat(steps).contains("CANCEL_DELIVERY");
    }
    Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + order[0] + "/notifications", order[1]), 200),
      n -> n.getJsonArray("notifications").stream().anyMatch(x -> ((JsonObject) x).getString("event").equals("ORDER_CANCELLED")),
      DEADLINE, "the cancellation notice").await();
  }

  @ParameterizedTest(name = "customer at {0}")
  @MethodSource("afterPickup")
  @DisplayName("a customer cannot cancel after pickup or once the order is finished: 409, nothing changes")
  void customerTooLate(String at) {
    String[] world = world(true);
    String[] order = place(world[0], "tok_visa");
    await(order, "DELIVERY_PARTNER_ASSIGNED");
    String path = "/v1/deliveries/" + order[0] + "/status";
    expect(api.post(path, api.partnerToken(world[1]), new JsonObject().put("status", "PICKED_UP")), 200).await();
    if (at.equals("DELIVERED")) {
      expect(api.post(path, api.partnerToken(world[1]), new JsonObject().put("status", "DELIVERED")), 200).await();
    }

    HttpResponse<Buffer> response = api.post("/v1/orders/" + order[0] + "/cancel", order[1],
      new JsonObject().put("reason", "too late")).await();

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(api.order(order[0], order[1]).await().getString("status")).isEqualTo(at);
  }

  static Stream<Arguments> afterPickup() {
    return Stream.of(Arguments.of("PICKED_UP"), Arguments.of("DELIVERED"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  @DisplayName("a failed step ends the order FAILED, with the same compensation")
  void failed(String cause, String expectedReason) {
    String[] world = world(false);
    String[] order = place(world[0], cause.equals("declined") ? "tok_chargeDeclined" : "tok_visa");
    if (cause.equals("no partner")) {
      await(order, "INVENTORY_RESERVED");
      app.clock.advance(Duration.ofMinutes(61));
    }
    JsonObject failed = await(order, "FAILED");
    assertThat(failed.getString("failureReason")).startsWith(expectedReason);
    Poll.until(app.vertx, () -> api.stockLevel(world[0], "a"), s -> s.getInteger("held") + s.getInteger("reserved") == 0,
      DEADLINE, "stock back").await();
    JsonObject payment = Poll.until(app.vertx, () -> api.order(order[0], order[1]).map(o -> o.getJsonObject("payment")),
      p -> !p.getString("status").equals("SUCCEEDED"), DEADLINE, "refund").await();
    assertThat(payment.getString("status")).isEqualTo(cause.equals("declined") ? "DECLINED" : "REFUNDED");
    Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + order[0] + "/notifications", order[1]), 200),
      n -> n.getJsonArray("notifications").stream().anyMatch(x -> ((JsonObject) x).getString("event").equals("ORDER_FAILED")),
      DEADLINE, "the failure notice").await();
  }

  static Stream<Arguments> failures() {
    return Stream.of(
      Arguments.of("declined", "payment declined"),
      Arguments.of("no partner", "no delivery partner available"));
  }
}
