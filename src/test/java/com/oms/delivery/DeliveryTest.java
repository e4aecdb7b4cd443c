package com.oms.delivery;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Addresses;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeliveryTest extends IntegrationTest {

  private static final double STORE_LON = 77.5946;
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_AREA = new java.util.concurrent.atomic.AtomicInteger();

  /** Each test works in its own area, 50 km from the others: outside the service radius of their stores. */
  private double storeLat;
  private String store;

  @BeforeEach
  void freshStoreAndNoPartners() {
    // every test starts with its own store and with no partner on duty
    app.app.pool().query("UPDATE partners SET available = false").execute().await();
    store = unique("store");
    storeLat = 5 + 0.45 * NEXT_AREA.incrementAndGet();
    JsonObject body = new JsonObject().put("name", "Store").put("preparationMinutes", 10)
      .put("location", new JsonObject().put("lat", storeLat).put("lon", STORE_LON))
      .put("hours", new JsonObject().put("opens", "00:00").put("closes", "00:00").put("timeZone", "Asia/Kolkata"));
    expect(api.put("/v1/stores/" + store, api.adminToken(), body), 200).await();
    api.stock(store, "a", 100, 1000).await();
  }

  private String partnerAt(double kmNorth) {
    String partner = unique("rider");
    api.partner(partner, storeLat + kmNorth / 111.0, STORE_LON).await();
    return partner;
  }

  private String[] place(String token) {
    String orderId = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");
    return new String[] {orderId, token};
  }

  private JsonObject awaitStatus(String[] order, String status) {
    return Poll.until(app.vertx, () -> api.order(order[0], order[1]), o -> o.getString("status").equals(status),
      DEADLINE, order[0] + " to be " + status).await();
  }

  private JsonArray history(String[] order) {
    return expect(api.get("/v1/orders/" + order[0] + "/events", order[1]), 200).await().getJsonArray("events");
  }

  @Test
  @DisplayName("the nearest available partner is assigned; on a tie, the one idle longest")
  void nearestPartner() {
    String far = partnerAt(5);
    String near = partnerAt(0.5);
    partnerAt(2);
    String[] first = place(api.customerToken(unique("cust")));
    assertThat(awaitStatus(first, "DELIVERY_PARTNER_ASSIGNED").getJsonObject("delivery").getString("partnerId")).isEqualTo(near);
    assertThat(far).isNotEqualTo(near);

    app.app.pool().query("UPDATE partners SET available = false").execute().await();
    String tieA = partnerAt(1);
    String tieB = partnerAt(1);
    String[] a = place(api.customerToken(unique("cust")));
    String firstTie = awaitStatus(a, "DELIVERY_PARTNER_ASSIGNED").getJsonObject("delivery").getString("partnerId");
    expect(api.post("/v1/deliveries/" + a[0] + "/status", api.partnerToken(firstTie), new JsonObject().put("status", "PICKED_UP")), 200).await();
    expect(api.post("/v1/deliveries/" + a[0] + "/status", api.partnerToken(firstTie), new JsonObject().put("status", "DELIVERED")), 200).await();
    String[] b = place(api.customerToken(unique("cust")));
    String secondTie = awaitStatus(b, "DELIVERY_PARTNER_ASSIGNED").getJsonObject("delivery").getString("partnerId");
    assertThat(List.of(firstTie, secondTie)).containsExactlyInAnyOrder(tieA, tieB);
  }

  @Test
  @DisplayName("12 orders racing for 3 partners of capacity 1: 3 assigned, never more than capacity, the rest wait")
  void capacityUnderConcurrency() {
    List<String> partners = List.of(partnerAt(1), partnerAt(2), partnerAt(3));
    List<String[]> orders = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> placed = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String token = api.customerToken(unique("cust"));
      placed.add(api.place(token, cardOrder(store, "tok_visa", items("a", 1))).map(r -> {
        orders.add(new String[] {r.bodyAsJsonObject().getString("orderId"), token});
        return r;
      }));
    }
    Future.all(placed).await();
    for (String[] order : orders) {
      Poll.until(app.vertx, () -> api.order(order[0], order[1]),
        o -> List.of("DELIVERY_PARTNER_ASSIGNED", "INVENTORY_RESERVED").contains(o.getString("status")), DEADLINE, "payment").await();
    }
    Poll.until(app.vertx, () -> assignedCount(orders), n -> n == 3, DEADLINE, "three assignments").await();

    JsonArray rows = new JsonArray();
    app.app.pool().query("SELECT partner_id, active_deliveries, capacity FROM partners WHERE available").execute().await()
      .forEach(row -> rows.add(new JsonObject().put("p", row.getString("partner_id")).put("n", row.getInteger("active_deliveries"))
        .put("c", row.getInteger("capacity"))));
    assertThat(rows).allSatisfy(r -> assertThat(((JsonObject) r).getInteger("n")).isEqualTo(1));
    List<String> assignedTo = new ArrayList<>();
    for (String[] order : orders) {
      JsonObject o = api.order(order[0], order[1]).await();
      if (o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED")) {
        assignedTo.add(o.getJsonObject("delivery").getString("partnerId"));
      }
    }
    assertThat(assignedTo).containsExactlyInAnyOrderElementsOf(partners);
  }

  @Test
  @DisplayName("asked again to assign an assigned order (a saga step repeated), delivery answers the same partner, even with nobody else free")
  void repeatedAssignmentAnswersTheSamePartner() {
    String partner = partnerAt(1);
    String[] order = place(api.customerToken(unique("cust")));
    assertThat(awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED").getJsonObject("delivery").getString("partnerId")).isEqualTo(partner);
    String other = partnerAt(0.5); // nearer, and free: a second assignment would take this one

    JsonObject request = new com.oms.bus.AssignRequest(order[0], store, storeLat, STORE_LON,
      java.util.Map.of("address", "1 Test Road"), null).toJson();
    JsonObject again = com.oms.bus.BusMessage.asJson(app.vertx.eventBus().request(Addresses.DELIVERY_ASSIGN, request).await().body());
    assertThat(again.getBoolean("assigned")).isTrue();
    assertThat(again.getString("partnerId")).isEqualTo(partner).isNotEqualTo(other);

    app.app.pool().query("UPDATE partners SET available = false").execute().await();
    JsonObject noneFree = com.oms.bus.BusMessage.asJson(app.vertx.eventBus().request(Addresses.DELIVERY_ASSIGN, request).await().body());
    assertThat(noneFree.getBoolean("assigned")).isTrue();
    assertThat(noneFree.getString("partnerId")).isEqualTo(partner);
    Integer carried = app.app.pool().preparedQuery("SELECT active_deliveries FROM partners WHERE partner_id = $1")
      .execute(io.vertx.sqlclient.Tuple.of(other)).await().iterator().next().getInteger("active_deliveries");
    assertThat(carried).as("the free partner was not taken by a repeated request").isZero();
  }

  private Future<Integer> assignedCount(List<String[]> orders) {
    List<Future<JsonObject>> reads = orders.stream().map(o -> api.order(o[0], o[1])).toList();
    return Future.all(reads).map(v -> (int) reads.stream()
      .filter(r -> r.result().getString("status").equals("DELIVERY_PARTNER_ASSIGNED")).count());
  }

  @Test
  @DisplayName("a partner declines: the order goes to the next nearest partner, never back to the one who declined")
  void declineReassigns() {
    String near = partnerAt(0.5);
    String next = partnerAt(1.5);
    String[] order = place(api.customerToken(unique("cust")));
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");

    HttpResponse<Buffer> stranger = api.post("/v1/deliveries/" + order[0] + "/decline", api.partnerToken(next), null).await();
    JsonObject declined = expect(api.post("/v1/deliveries/" + order[0] + "/decline", api.partnerToken(near), null), 200).await();

    assertThat(stranger.statusCode()).isEqualTo(404);
    assertThat(declined.getString("status")).isEqualTo("DECLINED");
    JsonObject reassigned = Poll.until(app.vertx, () -> api.order(order[0], order[1]),
      o -> next.equals(o.getJsonObject("delivery").getString("partnerId")), DEADLINE, "reassignment").await();
    assertThat(reassigned.getString("status")).isEqualTo("DELIVERY_PARTNER_ASSIGNED");
    assertThat(history(order).stream().map(e -> ((JsonObject) e).getString("to")).toList()).containsSubsequence(
      "DELIVERY_PARTNER_ASSIGNED", "INVENTORY_RESERVED", "DELIVERY_PARTNER_ASSIGNED");
    JsonObject freed = expect(api.get("/v1/partners/" + near + "/deliveries", api.partnerToken(near)), 200).await();
    assertThat(freed.getJsonArray("deliveries")).isEmpty();
  }

  @Test
  @DisplayName("a partner's list shows every delivery still to carry first, however many finished ones are newer")
  void activeDeliveriesListedBeforeHistory() {
    String partner = partnerAt(0.5);
    String[] order = place(api.customerToken(unique("cust")));
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    // 120 deliveries assigned and finished after this one (a busy partner, or one whose app was offline)
    app.app.pool().preparedQuery("""
        INSERT INTO deliveries (order_id, partner_id, store_id, status, pickup_lat, pickup_lon, dropoff,
                                assigned_at, picked_up_at, delivered_at, updated_at)
        SELECT gen_random_uuid(), d.partner_id, d.store_id, 'DELIVERED', d.pickup_lat, d.pickup_lon, d.dropoff, t, t, t, t
          FROM deliveries d, generate_series(1, 120) AS n, LATERAL (SELECT d.assigned_at + n * interval '1 second' AS t) later
         WHERE d.order_id = $1
        """).execute(io.vertx.sqlclient.Tuple.of(java.util.UUID.fromString(order[0]))).await();

    JsonArray listed = expect(api.get("/v1/partners/" + partner + "/deliveries", api.partnerToken(partner)), 200).await()
      .getJsonArray("deliveries");

    assertThat(listed).hasSize(1 + 100);
    assertThat(listed.getJsonObject(0).getString("orderId")).isEqualTo(order[0]);
    assertThat(listed.getJsonObject(0).getString("status")).isEqualTo("ASSIGNED");
    assertThat(listed.stream().skip(1).map(d -> ((JsonObject) d).getString("status"))).containsOnly("DELIVERED");
  }

  @Test
  @DisplayName("a partner who does not pick up in time loses the order to the next partner")
  void missedPickupReassigns() {
    String slow = partnerAt(0.5);
    String next = partnerAt(2);
    String[] order = place(api.customerToken(unique("cust")));
    assertThat(awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED").getJsonObject("delivery").getString("partnerId")).isEqualTo(slow);

    assertReassignedAfterMissedPickup(order, slow, next);
  }

  /** Moves time past the pickup (10 minutes of preparation, then 20 minutes' grace) and waits for the next partner. */
  private void assertReassignedAfterMissedPickup(String[] order, String slow, String next) {
    app.clock.advance(Duration.ofMinutes(31));

    Poll.until(app.vertx, () -> api.order(order[0], order[1]),
      o -> next.equals(o.getJsonObject("delivery").getString("partnerId")), DEADLINE, "reassignment").await();
    assertThat(history(order).stream().map(e -> ((JsonObject) e).getString("reason")).toList())
      .contains("partner " + slow + " did not pick up in time");
  }

  @Test
  @DisplayName("a missed pickup behind more orders on the road than a sweep looks at is still found, and reassigned")
  void missedPickupBehindAFullPage() {
    String slow = partnerAt(0.5);
    String next = partnerAt(2);
    String[] order = place(api.customerToken(unique("cust")));
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    // 250 orders in transit that moved before this one did and are not late (a sweep reads 200 at a time)
    String copies = """
        INSERT INTO orders (order_id, customer_id, store_id, status, version, currency, total_amount, items, payment,
                            payment_instrument, delivery, contact, created_at, updated_at)
        SELECT gen_random_uuid(), customer_id, store_id, 'PICKED_UP', version, currency, total_amount, items, payment,
               payment_instrument, delivery, contact, created_at, updated_at - n * interval '1 millisecond'
          FROM orders, generate_series(1, 250) AS n
         WHERE order_id = $1
        RETURNING order_id
        """;
    List<UUID> inTransit = new ArrayList<>();
    app.app.pool().preparedQuery(copies).execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(order[0]))).await()
      .forEach(row -> inTransit.add(row.getUUID("order_id")));
    try {
      assertReassignedAfterMissedPickup(order, slow, next);
    } finally {
      app.app.pool().preparedQuery("DELETE FROM orders WHERE order_id = ANY($1)")
        .execute(io.vertx.sqlclient.Tuple.of(inTransit.toArray(new UUID[0]))).await();
    }
  }

  @Test
  @DisplayName("no partner free: the customer is told of the delay, and after the limit the order fails and is refunded")
  void noPartnerDelayThenFailure() {
    String[] order = place(api.customerToken(unique("cust")));
    awaitStatus(order, "INVENTORY_RESERVED");
    long refunds = app.app.gatewaySimulator().refundsMade();

    app.clock.advance(Duration.ofMinutes(11));
    Poll.until(app.vertx, () -> expect(api.get("/v1/orders/" + order[0] + "/notifications", order[1]), 200),
      n -> n.getJsonArray("notifications").stream().anyMatch(x -> ((JsonObject) x).getString("event").equals("ORDER_DELAYED")),
      DEADLINE, "the delay notice").await();
    assertThat(api.order(order[0], order[1]).await().getString("status")).isEqualTo("INVENTORY_RESERVED");

    app.clock.advance(Duration.ofMinutes(50));
    JsonObject failed = awaitStatus(order, "FAILED");
    assertThat(failed.getString("failureReason")).isEqualTo("no delivery partner available within 60 minutes");
    Poll.until(app.vertx, () -> Future.succeededFuture(app.app.gatewaySimulator().refundsMade()), n -> n == refunds + 1,
      DEADLINE, "the refund").await();
    JsonArray notices = expect(api.get("/v1/orders/" + order[0] + "/notifications", order[1]), 200).await()
      .getJsonArray("notifications");
    // one notice per delay step, however many sweeps found the order waiting
    assertThat(notices.stream().filter(x -> ((JsonObject) x).getString("event").equals("ORDER_DELAYED")).count())
      .isBetween(1L, 6L);
  }

  @Test
  @DisplayName("a scheduled pickup is assigned only at its lead time; a pickup outside the store's hours or horizon is 422")
  void scheduledPickup() {
    String partner = partnerAt(0.5);
    String token = api.customerToken(unique("cust"));
    Instant pickupAt = app.clock.instant().plus(Duration.ofHours(2));
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    body.getJsonObject("delivery").put("pickupAt", pickupAt.toString());
    String[] order = {expect(api.place(token, body), 201).await().getString("orderId"), token};
    awaitStatus(order, "INVENTORY_RESERVED");

    app.clock.advance(Duration.ofMinutes(85));
    app.vertx.eventBus().request(Addresses.ORDER_ADVANCE, new JsonObject().put("orderId", order[0])).await();
    assertThat(api.order(order[0], order[1]).await().getString("status")).isEqualTo("INVENTORY_RESERVED");

    app.clock.advance(Duration.ofMinutes(6));
    assertThat(awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED").getJsonObject("delivery").getString("partnerId")).isEqualTo(partner);

    JsonObject tooSoon = cardOrder(store, "tok_visa", items("a", 1));
    tooSoon.getJsonObject("delivery").put("pickupAt", app.clock.instant().plus(Duration.ofMinutes(5)).toString());
    JsonObject tooFar = cardOrder(store, "tok_visa", items("a", 1));
    tooFar.getJsonObject("delivery").put("pickupAt", app.clock.instant().plus(Duration.ofDays(4)).toString());
    for (JsonObject refused : new JsonObject[] {tooSoon, tooFar}) {
      HttpResponse<Buffer> response = api.place(token, refused).await();
      assertThat(response.statusCode()).isEqualTo(422);
      assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:pickup-unavailable");
    }
  }

  @Test
  @DisplayName("rescheduling a pickup far ahead releases the partner, and the order is assigned again at the new lead time")
  void reschedule() {
    String partner = partnerAt(0.5);
    String[] order = place(api.customerToken(unique("cust")));
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    Instant later = app.clock.instant().plus(Duration.ofHours(3));

    JsonObject moved = expect(api.put("/v1/orders/" + order[0] + "/pickup", order[1],
      new JsonObject().put("pickupAt", later.toString())), 200).await();

    assertThat(moved.getString("status")).isEqualTo("INVENTORY_RESERVED");
    assertThat(Instant.parse(moved.getJsonObject("delivery").getString("pickupAt"))).isEqualTo(later);
    app.clock.advance(Duration.ofMinutes(151));
    assertThat(awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED").getJsonObject("delivery").getString("partnerId")).isEqualTo(partner);
  }

  @Test
  @DisplayName("only the assigned partner moves a delivery, and only in order: PICKED_UP, then DELIVERED")
  void onlyTheAssignedPartnerInOrder() {
    String partner = partnerAt(0.5);
    String other = partnerAt(3);
    String[] order = place(api.customerToken(unique("cust")));
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    String path = "/v1/deliveries/" + order[0] + "/status";

    HttpResponse<Buffer> byOther = api.post(path, api.partnerToken(other), new JsonObject().put("status", "PICKED_UP")).await();
    HttpResponse<Buffer> byCustomer = api.post(path, order[1], new JsonObject().put("status", "PICKED_UP")).await();
    HttpResponse<Buffer> deliveredFirst = api.post(path, api.partnerToken(partner), new JsonObject().put("status", "DELIVERED")).await();

    assertThat(byOther.statusCode()).isEqualTo(404);
    assertThat(byCustomer.statusCode()).isEqualTo(403);
    assertThat(deliveredFirst.statusCode()).isEqualTo(409);
    assertThat(deliveredFirst.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:invalid-transition");
    expect(api.post(path, api.partnerToken(partner), new JsonObject().put("status", "PICKED_UP")), 200).await();
    HttpResponse<Buffer> declineAfterPickup = api.post("/v1/deliveries/" + order[0] + "/decline", api.partnerToken(partner), null).await();
    assertThat(declineAfterPickup.statusCode()).isEqualTo(409);
    expect(api.post(path, api.partnerToken(partner), new JsonObject().put("status", "DELIVERED")), 200).await();
    assertThat(api.order(order[0], order[1]).await().getString("status")).isEqualTo("DELIVERED");
  }

  @Test
  @DisplayName("location reports reach the orders a partner carries and are kept without a database write per report")
  void locationUpdates() {
    String partner = partnerAt(0.5);
    String[] order = place(api.customerToken(unique("cust")));
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    Promise<JsonObject> moved = Promise.promise();
    var consumer = app.vertx.eventBus().<JsonObject>consumer(Addresses.DELIVERY_PARTNER_MOVED, m -> {
      if (m.body().getString("orderId").equals(order[0])) {
        moved.tryComplete(m.body());
      }
    });
    consumer.completion().await();
    String path = "/v1/partners/" + partner + "/location";

    JsonObject first = expect(api.post(path, api.partnerToken(partner), new JsonObject().put("lat", 12.98).put("lon", 77.60)), 200).await();
    expect(api.post(path, api.partnerToken(partner), new JsonObject().put("lat", 12.99).put("lon", 77.61)), 200).await();
    HttpResponse<Buffer> forSomeoneElse = api.post("/v1/partners/" + partner + "/location", api.partnerToken(unique("x")),
      new JsonObject().put("lat", 1).put("lon", 1)).await();

    assertThat(first.getJsonArray("orderIds")).containsExactly(order[0]);
    assertThat(moved.future().await().getDouble("lat")).isEqualTo(12.98);
    assertThat(forSomeoneElse.statusCode()).isEqualTo(403);
    double storedLat = app.app.pool().preparedQuery("SELECT lat FROM partners WHERE partner_id = $1")
      .execute(io.vertx.sqlclient.Tuple.of(partner)).await().iterator().next().getDouble("lat");
    assertThat(storedLat).as("Postgres got the first report only, within the sync interval").isEqualTo(12.98);
    consumer.unregister().await();
  }
}
