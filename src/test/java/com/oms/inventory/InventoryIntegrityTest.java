package com.oms.inventory;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Addresses;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of overlapping orders against scarce stock, then cancellations and pickups, checked against
 * both stores. One partner with room for every order, so paid orders reach pickup.
 */
class InventoryIntegrityTest extends IntegrationTest {

  private static final List<String> SKUS = List.of("s1", "s2", "s3", "s4", "s5");

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("delivery").put("partnerCapacity", 10_000);
  }

  private record Placed(String orderId, String token, JsonArray lines) {
  }

  private String scarceStore() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    for (String sku : SKUS) {
      api.stock(store, sku, 30, 100).await();
    }
    api.partner(unique("rider"), 12.97, 77.59).await();
    return store;
  }

  private static List<JsonArray> randomOrders(Random random, int count) {
    List<JsonArray> orders = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      JsonArray lines = new JsonArray();
      List<String> skus = new ArrayList<>(SKUS);
      java.util.Collections.shuffle(skus, random);
      for (String sku : skus.subList(0, 2 + random.nextInt(2))) {
        lines.add(new JsonObject().put("sku", sku).put("quantity", 1 + random.nextInt(3)));
      }
      orders.add(lines);
    }
    return orders;
  }

  /** Fires the orders at once; answers the accepted ones and checks every answer is 201 or a 409 shortage. */
  private List<Placed> placeAll(String store, List<JsonArray> orders) {
    List<String> tokens = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (JsonArray lines : orders) {
      String token = api.customerToken(unique("cust"));
      tokens.add(token);
      responses.add(api.place(token, cardOrder(store, "tok_visa", lines)));
    }
    Future.join(responses).await();
    List<Placed> accepted = new ArrayList<>();
    for (int i = 0; i < orders.size(); i++) {
      HttpResponse<Buffer> response = responses.get(i).result();
      assertThat(response.statusCode()).as(response.bodyAsString()).isIn(201, 409);
      if (response.statusCode() == 201) {
        accepted.add(new Placed(response.bodyAsJsonObject().getString("orderId"), tokens.get(i), orders.get(i)));
      } else {
        assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:insufficient-stock");
      }
    }
    return accepted;
  }

  private static Map<String, Integer> demand(List<Placed> orders) {
    Map<String, Integer> total = new HashMap<>();
    orders.forEach(o -> o.lines().forEach(l ->
      total.merge(((JsonObject) l).getString("sku"), ((JsonObject) l).getInteger("quantity"), Integer::sum)));
    return total;
  }

  private void awaitStatus(Placed order, String status) {
    Poll.until(app.vertx, () -> api.order(order.orderId(), order.token()),
      o -> o.getString("status").equals(status), DEADLINE, order.orderId() + " to reach " + status).await();
  }

  /** Redis equals Postgres, figure for figure, once the saga has settled. */
  private void assertProjectionEqualsLedger(String store) {
    for (String sku : SKUS) {
      Poll.until(app.vertx,
        () -> Future.all(StockFigures.inPostgres(app, store, sku), StockFigures.inRedis(app, store, sku))
          .map(both -> List.of(both.<StockFigures>resultAt(0), both.<StockFigures>resultAt(1))),
        both -> both.get(0).equals(both.get(1)), DEADLINE, sku + " in Redis (second) to equal Postgres (first)").await();
    }
  }

  private double driftCorrections() {
    return app.registry.find("oms.inventory.drift").counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  @DisplayName("300 overlapping orders: none oversold, each held in full or not at all; after cancels and pickups Redis equals Postgres")
  void manyOrdersNeverOversell() {
    String store = scarceStore();
    double driftBefore = driftCorrections();

    List<Placed> accepted = placeAll(store, randomOrders(new Random(7), 300));

    Map<String, Integer> taken = demand(accepted);
    assertThat(accepted).isNotEmpty().hasSizeLessThan(300);
    for (String sku : SKUS) {
      StockFigures redis = StockFigures.inRedis(app, store, sku).await();
      assertThat(redis.held() + redis.reserved()).as(sku).isEqualTo((long) taken.getOrDefault(sku, 0)).isLessThanOrEqualTo(30L);
      assertThat(redis.available()).isGreaterThanOrEqualTo(0);
    }

    // every other order is cancelled, the rest picked up; then the figures must agree exactly
    List<Placed> cancelled = new ArrayList<>();
    List<Placed> pickedUp = new ArrayList<>();
    for (int i = 0; i < accepted.size(); i++) {
      Placed order = accepted.get(i);
      awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
      if (i % 2 == 0) {
        expect(api.post("/v1/orders/" + order.orderId() + "/cancel", order.token(), new JsonObject().put("reason", "test")), 200).await();
        cancelled.add(order);
      } else {
        JsonObject assigned = api.order(order.orderId(), order.token()).await();
        String partner = assigned.getJsonObject("delivery").getString("partnerId");
        expect(api.post("/v1/deliveries/" + order.orderId() + "/status", api.partnerToken(partner),
          new JsonObject().put("status", "PICKED_UP")), 200).await();
        pickedUp.add(order);
      }
    }
    Map<String, Integer> deducted = demand(pickedUp);
    assertProjectionEqualsLedger(store);
    for (String sku : SKUS) {
      StockFigures figures = StockFigures.inPostgres(app, store, sku).await();
      assertThat(figures).isEqualTo(new StockFigures(30 - deducted.getOrDefault(sku, 0), 0, 0));
    }
    assertThat(driftCorrections()).as("no figure needed repair").isEqualTo(driftBefore);
  }

  @Test
  @DisplayName("Redis flushed (FLUSHALL and SCRIPT FLUSH) in the middle of a run: still no oversell, and the projection is rebuilt")
  void redisFlushedMidRun() {
    String store = scarceStore();
    Random random = new Random(11);

    List<Placed> first = new ArrayList<>();
    // the first wave is sent from a plain thread so this one can flush Redis while it is in flight
    List<JsonArray> firstOrders = randomOrders(random, 150);
    CompletableFuture<List<Placed>> firstWave = CompletableFuture.supplyAsync(() -> placeAll(store, firstOrders));
    Poll.until(app.vertx, () -> app.app.pool().query("SELECT count(*) AS n FROM stock_holds").execute()
      .map(rows -> rows.iterator().next().getLong("n")), n -> n >= 40, DEADLINE, "the first wave to get going").await();
    app.app.redis().send(Request.cmd(Command.FLUSHALL)).await();
    app.app.redis().send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await();
    first.addAll(firstWave.join());
    List<Placed> second = placeAll(store, randomOrders(random, 150));

    List<Placed> all = new ArrayList<>(first);
    all.addAll(second);
    Map<String, Integer> taken = demand(all);
    for (String sku : SKUS) {
      assertThat(taken.getOrDefault(sku, 0)).as(sku + " never oversold").isLessThanOrEqualTo(30);
    }
    for (Placed order : all) {
      awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    }
    assertProjectionEqualsLedger(store);
    for (String sku : SKUS) {
      StockFigures figures = StockFigures.inPostgres(app, store, sku).await();
      assertThat(figures.reserved()).isEqualTo((long) taken.getOrDefault(sku, 0));
      assertThat(figures.held()).isZero();
    }
  }

  @Test
  @DisplayName("a drifted Redis figure is found by reconciliation, reported as a metric, and fixed")
  void reconciliationRepairsDrift() {
    String store = scarceStore();
    String key = app.config.redis().keyPrefix() + ":inventory:v1:{" + store + "}:stock:s1";
    app.app.redis().send(Request.cmd(Command.HSET).arg(key).arg("held").arg("17")).await();
    double before = driftCorrections();

    JsonObject result = app.vertx.eventBus().<JsonObject>request(Addresses.INVENTORY_RECONCILE, new JsonObject()).await().body();

    assertThat(result.getInteger("corrected")).isEqualTo(1);
    assertThat(driftCorrections()).isEqualTo(before + 1);
    assertThat(StockFigures.inRedis(app, store, "s1").await()).isEqualTo(new StockFigures(30, 0, 0));
  }
}
