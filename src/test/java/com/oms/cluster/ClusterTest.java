package com.oms.cluster;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.config.OmsConfig;
import com.oms.dev.GatewaySimulatorVerticle;
import com.oms.inventory.StockFigures;
import com.oms.testing.Api;
import com.oms.testing.Poll;
import com.oms.testing.TestApp;
import com.oms.testing.TestClock;
import com.oms.testing.TestStack;
import com.oms.tracking.FeedClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three members on one clustered event bus (Hazelcast on loopback), sharing Postgres, Redis, the payment
 * gateway and the clock: orders placed on one member are watched on another, a member dies mid-saga, and
 * afterwards nothing is lost, oversold, refunded twice, or cancelled twice.
 */
class ClusterTest {

  /** Room for failure detection (4 s here), a bus timeout (5 s) and the sweeps after them. */
  private static final Duration DEADLINE = Duration.ofSeconds(45);

  @Test
  @Timeout(300)
  @DisplayName("three members: any member takes any order, watchers on another member see it live, a member crashes, the invariants hold")
  void threeMembers() throws Exception {
    String clusterName = "oms-test-" + UUID.randomUUID().toString().substring(0, 8);
    int[] hazelcastPorts = {freePort(), freePort(), freePort()};
    List<String> members = List.of("127.0.0.1:" + hazelcastPorts[0], "127.0.0.1:" + hazelcastPorts[1],
      "127.0.0.1:" + hazelcastPorts[2]);
    TestClock clock = TestClock.startingNow();
    String database = TestStack.get().freshDatabase();
    String keyPrefix = "c" + UUID.randomUUID().toString().substring(0, 8);

    Vertx plain = Vertx.vertx();
    GatewaySimulatorVerticle gateway = new GatewaySimulatorVerticle(0, "sk_test_oms_dev", Map.of(), 50, clock);
    plain.deployVerticle(gateway).await();
    String gatewayUrl = "http://127.0.0.1:" + gateway.actualPort();

    List<Vertx> nodes = new ArrayList<>();
    List<TestApp> apps = new ArrayList<>();
    List<io.vertx.spi.cluster.hazelcast.HazelcastClusterManager> managers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        OmsConfig.Cluster settings = new OmsConfig.Cluster(true, clusterName, "127.0.0.1", hazelcastPorts[i], members,
          Duration.ofSeconds(4));
        VertxOptions options = new VertxOptions();
        options.getEventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
        managers.add(Clustering.manager(settings));
        Vertx node = Vertx.builder().with(options).withClusterManager(managers.get(i)).buildClustered().await();
        nodes.add(node);
        apps.add(TestApp.startOn(node, database, keyPrefix, clock, config -> {
          config.getJsonObject("payment").put("gatewayUrl", gatewayUrl);
          config.getJsonObject("delivery").put("partnerCapacity", 100);
        }).await());
      }
      Api a = apps.get(0).api;
      Api b = apps.get(1).api;
      Api c = apps.get(2).api;
      String store = "store-" + UUID.randomUUID().toString().substring(0, 8);
      String partner = "rider-" + UUID.randomUUID().toString().substring(0, 8);
      a.store(store, 12.97, 77.59).await();
      a.stock(store, "a", 60, 1000).await();
      b.partner(partner, 12.971, 77.59).await();
      expect(a.put("/v1/partners/" + partner + "/availability", a.partnerToken(partner), new JsonObject()
        .put("available", true).put("location", new JsonObject().put("lat", 12.971).put("lon", 77.59))), 200).await();

      // placed on A, watched on B; the pickup is reported through C and reaches the watcher on B
      String customer = a.customerToken("cust-" + UUID.randomUUID().toString().substring(0, 8));
      String watched = expect(a.place(customer, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");
      Poll.until(apps.get(0).vertx, () -> a.order(watched, customer), o -> o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED"),
        DEADLINE, "assignment").await();
      FeedClient feed = FeedClient.connect(nodes.get(1), apps.get(1).app.httpPort(), "/v1/orders/" + watched + "/track",
        customer, null).await();
      feed.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await();
      expect(c.post("/v1/deliveries/" + watched + "/status", c.partnerToken(partner),
        new JsonObject().put("status", "PICKED_UP")), 200).await();
      feed.await(m -> "PICKED_UP".equals(m.getString("to")), DEADLINE).await();

      // orders placed on every member, and member C dies while their sagas run
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      acknowledged.add(watched);
      List<Future<HttpResponse<Buffer>>> placed = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Api on = List.of(a, b, c).get(i % 3);
        placed.add(on.place(customer, cardOrder(store, "tok_visa", items("a", 1))).onSuccess(r -> {
          if (r.statusCode() == 201) {
            acknowledged.add(r.bodyAsJsonObject().getString("orderId"));
          }
        }));
      }
      Future.join(new ArrayList<>(placed)).otherwiseEmpty().await();
      // member C dies as in a crash: its Hazelcast node is terminated without a graceful leave (the others
      // find out by failure detection, its locks are freed then), and its sagas stop where they are
      managers.get(2).getHazelcastInstance().getLifecycleService().terminate();
      nodes.get(2).close().otherwiseEmpty().await();
      apps.remove(2);
      nodes.remove(2);
      assertThat(acknowledged.size()).as("placements answered 201 before the kill").isGreaterThan(20);

      // the survivors finish what C left (the sweeper, led by whichever member holds its lock), then expiry
      // once a second the clock moves past stallAfter, so a step cut by the death counts as stalled
      java.util.concurrent.atomic.AtomicLong lastMove = new java.util.concurrent.atomic.AtomicLong();
      Poll.until(apps.get(0).vertx, () -> {
        if (System.nanoTime() - lastMove.get() > 1_000_000_000L) {
          lastMove.set(System.nanoTime());
          clock.advance(Duration.ofSeconds(11));
        }
        return unsettled(apps.get(0));
      }, n -> n == 0, DEADLINE, "no order left mid-saga").await();
      clock.advance(Duration.ofHours(49));
      // the clock keeps moving, so a compensation cut short (a request to the dead member before the others
      // noticed) is retried by the sweeper once it counts as stalled, as in production
      Poll.until(apps.get(0).vertx, () -> {
        if (System.nanoTime() - lastMove.get() > 1_000_000_000L) {
          lastMove.set(System.nanoTime());
          clock.advance(Duration.ofSeconds(11));
        }
        return open(apps.get(0));
      }, n -> n == 0, DEADLINE, "every order expired or final").await();

      Row facts = apps.get(0).app.pool().query("""
          SELECT (SELECT count(*) FROM orders) AS orders,
                 (SELECT count(*) FROM (SELECT order_id FROM order_events WHERE to_status = 'CANCELLED'
                                         GROUP BY order_id HAVING count(*) > 1) twice) AS cancelled_twice,
                 (SELECT count(*) FROM orders o JOIN payments p ON p.order_id = o.order_id
                   WHERE o.status IN ('CANCELLED', 'FAILED') AND p.status = 'SUCCEEDED') AS charged_but_ended
          """).execute().await().iterator().next();
      Set<String> stored = ConcurrentHashMap.newKeySet();
      apps.get(0).app.pool().query("SELECT order_id FROM orders").execute().await()
        .forEach(row -> stored.add(row.getUUID("order_id").toString()));
      assertThat(stored).as("no acknowledged order lost").containsAll(acknowledged);
      assertThat(facts.getLong("cancelled_twice")).as("each expired order cancelled once").isZero();
      assertThat(facts.getLong("charged_but_ended")).as("every cancelled order refunded").isZero();
      assertThat(gateway.chargeReferences()).allMatch(reference -> gateway.refundsFor(reference) <= 1, "refunded at most once");
      StockFigures postgres = StockFigures.inPostgres(apps.get(0), store, "a").await();
      assertThat(StockFigures.inRedis(apps.get(0), store, "a").await()).isEqualTo(postgres);
      assertThat(postgres.held() + postgres.reserved()).as("not oversold").isLessThanOrEqualTo(postgres.onHand());
    } finally {
      for (TestApp app : apps) {
        app.stop().otherwiseEmpty().await();
      }
      for (Vertx node : nodes) {
        node.close().otherwiseEmpty().await();
      }
      plain.close().await();
    }
  }

  private static Future<Long> unsettled(TestApp app) {
    return app.app.pool().query("""
        SELECT count(*) AS n FROM orders
         WHERE status IN ('CREATED', 'PAYMENT_PENDING', 'PAYMENT_SUCCESS', 'INVENTORY_RESERVED') OR compensation_pending
        """).execute().map(rows -> rows.iterator().next().getLong("n"));
  }

  private static Future<Long> open(TestApp app) {
    return app.app.pool().query("""
        SELECT count(*) AS n FROM orders WHERE status NOT IN ('DELIVERED', 'CANCELLED', 'FAILED') OR compensation_pending
        """).execute().map(rows -> rows.iterator().next().getLong("n"));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
