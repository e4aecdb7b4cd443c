package com.oms.order;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.oms.bus.Addresses;
import com.oms.bus.BusMessage;
import com.oms.bus.HoldOutcome;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Placement answers 201 once the order is recorded and its stock held, before PAYMENT_PENDING is written. A
 * placement that stopped between those steps (the process died) leaves a CREATED order; its client heard 201
 * only if Redis took the hold, so the sweeper carries on the order whose hold was taken, holding nothing
 * twice, and fails the one whose hold never was (or was released, or is undecided and then refused). A keyed
 * placement whose first attempt recorded its order and was then answered 5xx is retried onto that order.
 */
class PlacementResumeTest extends IntegrationTest {

  @Test
  @DisplayName("201 answers CREATED with the stock held; PAYMENT_PENDING and the charge follow")
  void answeredOnceHeld() {
    String store = storeWithIdli(10);
    String token = api.customerToken(unique("cust"));

    JsonObject placed = expect(api.place(token, cardOrder(store, "tok_visa", items("idli", 3))), 201).await();

    assertThat(placed.getString("status")).isEqualTo("CREATED");
    JsonObject idli = api.stockLevel(store, "idli").await();
    assertThat(idli.getInteger("held") + idli.getInteger("reserved")).isEqualTo(3);
    JsonObject paid = Poll.until(app.vertx, () -> api.order(placed.getString("orderId"), token),
      o -> o.getString("status").equals("INVENTORY_RESERVED"), DEADLINE, "payment and reservation").await();
    assertThat(events(paid.getString("orderId"), token)).startsWith("CREATED", "PAYMENT_PENDING", "PAYMENT_SUCCESS");
  }

  @Test
  @DisplayName("a placement that stopped after its hold: the sweeper goes on to payment and holds nothing twice")
  void stoppedAfterTheHold(Vertx vertx) {
    Order recorded = stalledPlacement(vertx, 10, 4);
    String store = recorded.storeId();
    HoldOutcome hold = BusMessage.request(vertx.eventBus(), Addresses.INVENTORY_HOLD_CLAIMED, recorded.stockCommand(),
      new DeliveryOptions(), HoldOutcome.class).await();
    assertThat(hold.held()).isTrue();

    String token = api.customerToken(recorded.customerId());
    JsonObject resumed = afterTheSweep(recorded, token, o -> o.getString("status").equals("INVENTORY_RESERVED"));

    assertThat(resumed.getJsonObject("payment").getString("status")).isEqualTo("SUCCEEDED");
    assertThat(events(recorded.id(), token)).startsWith("CREATED", "PAYMENT_PENDING", "PAYMENT_SUCCESS");
    JsonObject idli = api.stockLevel(store, "idli").await();
    assertThat(idli.getInteger("reserved")).isEqualTo(4);
    assertThat(idli.getInteger("held")).isZero();
    assertThat(idli.getInteger("available")).isEqualTo(6);
  }

  @Test
  @DisplayName("a placement that stopped before its hold (its client never heard 201): failed, nothing held, nothing charged")
  void stoppedBeforeTheHold(Vertx vertx) {
    Order recorded = stalledPlacement(vertx, 10, 4);
    String store = recorded.storeId();

    String token = api.customerToken(recorded.customerId());
    JsonObject failed = afterTheSweep(recorded, token,
      o -> o.getString("status").equals("FAILED") && !o.getBoolean("compensationPending", false));

    assertThat(failed.getString("failureReason")).isEqualTo(OrderSaga.PLACEMENT_INCOMPLETE + ": it stopped before its stock was held");
    assertThat(failed.getJsonObject("payment").getString("status")).isEqualTo("PENDING");
    assertThat(events(recorded.id(), token)).containsExactly("CREATED", "FAILED");
    assertThat(compensationSteps(recorded, token)).containsExactly("RELEASE_STOCK");
    JsonObject idli = api.stockLevel(store, "idli").await();
    assertThat(idli.getInteger("available")).isEqualTo(10);
    assertThat(idli.getInteger("held")).isZero();
    // the release recorded for it refuses a hold arriving late
    assertThatThrownBy(() -> BusMessage.request(vertx.eventBus(), Addresses.INVENTORY_HOLD_CLAIMED,
      recorded.stockCommand(), new DeliveryOptions(), HoldOutcome.class).await()).hasMessageContaining("already released");
    assertThat(api.stockLevel(store, "idli").await().getInteger("held")).isZero();
  }

  @Test
  @DisplayName("a stalled placement whose claim a rebuild of Redis restored, undecided, with the stock gone: the hold decides, failed for the shortage")
  void restoredByARebuildAndStockGone(Vertx vertx) {
    Order recorded = stalledPlacement(vertx, 2, 5);
    String store = recorded.storeId();
    forgetStoreInRedis(store);

    String token = api.customerToken(recorded.customerId());
    JsonObject failed = afterTheSweep(recorded, token,
      o -> o.getString("status").equals("FAILED") && !o.getBoolean("compensationPending", false));

    assertThat(failed.getString("failureReason"))
      .isEqualTo(OrderSaga.PLACEMENT_INCOMPLETE + ": insufficient stock: idli (requested 5, available 2)");
    JsonObject idli = api.stockLevel(store, "idli").await();
    assertThat(idli.getInteger("available")).isEqualTo(2);
    assertThat(idli.getInteger("held")).isZero();
  }

  @Test
  @DisplayName("a placement that stopped before its hold, its stock released since: failed, not asked to hold again at every sweep")
  void stoppedBeforeTheHoldAndReleased(Vertx vertx) {
    Order recorded = stalledPlacement(vertx, 10, 4);
    String store = recorded.storeId();
    vertx.eventBus().request(Addresses.INVENTORY_RELEASE, recorded.stockCommand()).await();

    String token = api.customerToken(recorded.customerId());
    JsonObject failed = afterTheSweep(recorded, token,
      o -> o.getString("status").equals("FAILED") && !o.getBoolean("compensationPending", false));

    assertThat(failed.getString("failureReason")).isEqualTo(OrderSaga.PLACEMENT_INCOMPLETE + ": its stock hold was released");
    JsonObject idli = api.stockLevel(store, "idli").await();
    assertThat(idli.getInteger("available")).isEqualTo(10);
    assertThat(idli.getInteger("held")).isZero();
  }

  @Test
  @DisplayName("a keyed placement answered 5xx after recording its order: the retry carries that order on, not a second one")
  void keyedRetryCarriesOnTheRecordedOrder(Vertx vertx) {
    KeyedAttempt first = keyedFirstAttempt(vertx);
    Order recorded = first.recorded();
    String token = api.customerToken(recorded.customerId());

    JsonObject retried = expect(placeWithKey(token, first.key(), first.body()), 201).await();

    assertThat(retried.getString("orderId")).isEqualTo(recorded.id());
    Poll.until(app.vertx, () -> api.order(recorded.id(), token),
      o -> o.getString("status").equals("INVENTORY_RESERVED"), DEADLINE, "payment and reservation").await();
    assertThat(expect(api.get("/v1/orders", token), 200).await().getJsonArray("orders")).hasSize(1);
    JsonObject idli = api.stockLevel(recorded.storeId(), "idli").await();
    assertThat(idli.getInteger("reserved")).isEqualTo(4);
    assertThat(idli.getInteger("held")).isZero();
    assertThat(idli.getInteger("available")).isEqualTo(6);
  }

  @Test
  @DisplayName("a keyed retry after its recorded order failed places a new order; another request with the key is not matched")
  void keyedRetryAfterTheRecordedOrderFailed(Vertx vertx) {
    KeyedAttempt first = keyedFirstAttempt(vertx);
    Order recorded = first.recorded();
    Order other = record(vertx, recorded.storeId(), recorded.customerId(), "idli", 1, unique("key"),
      OrderDraft.hash(first.body()));
    String token = api.customerToken(recorded.customerId());
    vertx.eventBus().request(Addresses.INVENTORY_RELEASE, recorded.stockCommand()).await();
    afterTheSweep(recorded, token, o -> o.getString("status").equals("FAILED") && !o.getBoolean("compensationPending", false));

    JsonObject retried = expect(placeWithKey(token, first.key(), first.body()), 201).await();

    assertThat(retried.getString("orderId")).isNotIn(recorded.id(), other.id());
    assertThat(retried.getString("status")).isEqualTo("CREATED");
    assertThat(expect(api.get("/v1/orders", token), 200).await().getJsonArray("orders")).hasSize(3);
  }

  @Test
  @DisplayName("a keyed retry onto a recorded order whose hold was released since: that order fails, the retry is placed anew")
  void keyedRetryOntoAReleasedHold(Vertx vertx) {
    KeyedAttempt first = keyedFirstAttempt(vertx);
    Order recorded = first.recorded();
    String token = api.customerToken(recorded.customerId());
    vertx.eventBus().request(Addresses.INVENTORY_RELEASE, recorded.stockCommand()).await();

    JsonObject retried = expect(placeWithKey(token, first.key(), first.body()), 201).await();

    assertThat(retried.getString("orderId")).isNotEqualTo(recorded.id());
    assertThat(api.order(recorded.id(), token).await().getString("status")).isEqualTo("FAILED");
    JsonObject idli = api.stockLevel(recorded.storeId(), "idli").await();
    assertThat(idli.getInteger("held") + idli.getInteger("reserved")).isEqualTo(4);
    assertThat(idli.getInteger("available")).isEqualTo(6);
  }

  /** A keyed placement of 4 idli and what its first attempt left when its answer was lost: the order, recorded. */
  private record KeyedAttempt(String key, JsonObject body, Order recorded) {
  }

  private KeyedAttempt keyedFirstAttempt(Vertx vertx) {
    String store = storeWithIdli(10);
    String customer = unique("cust");
    JsonObject body = cardOrder(store, "tok_visa", items("idli", 4));
    String key = unique("key");
    return new KeyedAttempt(key, body, record(vertx, store, customer, "idli", 4, key, OrderDraft.hash(body)));
  }

  private io.vertx.core.Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> placeWithKey(
      String token, String key, JsonObject body) {
    return api.client().post("/v1/orders").putHeader("Authorization", "Bearer " + token)
      .putHeader("Idempotency-Key", key).sendJsonObject(body);
  }

  /** A placement that stopped once it recorded its order: CREATED, in a store of its own, nothing held yet. */
  private Order stalledPlacement(Vertx vertx, int idliOnHand, int quantity) {
    return record(vertx, storeWithIdli(idliOnHand), unique("cust"), "idli", quantity, null, "hash");
  }

  /** Moves time past the sweeper's stall threshold and waits for the order to be as {@code done} says. */
  private JsonObject afterTheSweep(Order recorded, String token, java.util.function.Predicate<JsonObject> done) {
    app.clock.advance(Duration.ofSeconds(11));
    return Poll.until(app.vertx, () -> api.order(recorded.id(), token), done, DEADLINE, "the sweeper").await();
  }

  private String storeWithIdli(int onHand) {
    String store = unique("store");
    api.store(store, 12.9716, 77.5946).await();
    api.stock(store, "idli", onHand, 3000).await();
    return store;
  }

  /** What the first step of a placement writes: the order (CREATED) with the claim of its hold, no more. */
  private Order record(Vertx vertx, String store, String customer, String sku, int quantity, String idempotencyKey,
                       String requestHash) {
    io.vertx.core.Promise<OrderStore> made = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> made.complete(new OrderStore(vertx, app.app.pool(), app.app.writes(), app.clock)));
    OrderStore orders = made.future().await();
    OrderStore.NewOrder order = new OrderStore.NewOrder(UUID.randomUUID(), customer, store, "INR", 3000L * quantity,
      new JsonArray().add(new JsonObject().put("sku", sku).put("quantity", quantity).put("unitAmount", 3000)),
      new JsonObject().put("method", "CREDIT_CARD").put("status", "PENDING").putNull("reference").putNull("nextAction"),
      new JsonObject().put("token", "tok_visa"),
      new JsonObject().put("address", "12 MG Road, Bengaluru")
        .put("location", new JsonObject().put("lat", 12.975).put("lon", 77.605)).putNull("pickupAt")
        .put("pickupLocation", new JsonObject().put("lat", 12.9716).put("lon", 77.5946))
        .put("expectedPickupAt", app.clock.instant().toString()),
      new JsonObject().put("email", customer + "@example.com"), idempotencyKey, requestHash, "customer:" + customer);
    return orders.insert(order, Integer.MAX_VALUE, Duration.ofMinutes(15), Duration.ofHours(24)).await().order();
  }

  private java.util.List<String> compensationSteps(Order order, String token) {
    JsonArray steps = expect(api.get("/v1/orders/" + order.id() + "/events", token), 200).await().getJsonArray("compensation");
    return steps.stream().map(step -> ((JsonObject) step).getString("step")).toList();
  }

  /** What Redis losing its data does to one store: its stock, counters and hold records gone, to be rebuilt. */
  private void forgetStoreInRedis(String store) {
    String pattern = app.config.redis().keyPrefix() + ":inventory:v1:{" + store + "}:*";
    io.vertx.redis.client.Response keys = app.app.redis().send(io.vertx.redis.client.Request
      .cmd(io.vertx.redis.client.Command.KEYS).arg(pattern)).await();
    io.vertx.redis.client.Request delete = io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.DEL);
    keys.forEach(key -> delete.arg(key.toString()));
    assertThat(keys.size()).isPositive();
    app.app.redis().send(delete).await();
  }

  private java.util.List<String> events(String orderId, String token) {
    JsonArray events = expect(api.get("/v1/orders/" + orderId + "/events", token), 200).await().getJsonArray("events");
    return events.stream().map(e -> ((JsonObject) e).getString("to")).toList();
  }
}
