package com.oms.tracking;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.OmsApplication;
import com.oms.bus.Addresses;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrackingFeedTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("tracking").put("writeQueueMaxBytes", 1024).put("slowClientTimeout", "PT3S")
      .put("allowedOrigins", new io.vertx.core.json.JsonArray().add("https://shop.example.com"));
  }

  private String store;
  private String partner;

  private String[] order() {
    store = unique("store");
    partner = unique("rider");
    double lat = 50 + Math.random();
    api.store(store, lat, 8.0).await();
    api.stock(store, "a", 10, 1000).await();
    api.partner(partner, lat + 0.001, 8.0).await();
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");
    return new String[] {orderId, token};
  }

  private void awaitStatus(String[] order, String status) {
    Poll.until(app.vertx, () -> api.order(order[0], order[1]), o -> o.getString("status").equals(status), DEADLINE, status).await();
  }

  private void report(String[] order, String status) {
    expect(api.post("/v1/deliveries/" + order[0] + "/status", api.partnerToken(partner), new JsonObject().put("status", status)), 200).await();
  }

  private String feed(String[] order) {
    return "/v1/orders/" + order[0] + "/track";
  }

  @Test
  @DisplayName("a snapshot first, then every status change in order with consecutive sequence numbers, and partner locations")
  void snapshotThenEvents() {
    String[] order = order();
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    FeedClient client = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), order[1], null).await();

    JsonObject snapshot = client.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await();
    assertThat(snapshot.getJsonObject("order").getString("status")).isEqualTo("DELIVERY_PARTNER_ASSIGNED");
    int base = snapshot.getInteger("seq");
    expect(api.post("/v1/partners/" + partner + "/location", api.partnerToken(partner),
      new JsonObject().put("lat", 50.5).put("lon", 8.1)), 200).await();
    report(order, "PICKED_UP");
    report(order, "DELIVERED");

    client.await(m -> "DELIVERED".equals(m.getString("to")), DEADLINE).await();
    assertThat(client.messages.get(0).getString("type")).isEqualTo("snapshot");
    assertThat(client.statusSeqs()).containsExactly(base + 1, base + 2);
    JsonObject location = client.await(m -> m.getString("type").equals("location"), DEADLINE).await();
    assertThat(location.getDouble("lat")).isEqualTo(50.5);
    assertThat(client.messages).allSatisfy(m -> assertThat(m.getValue("seq")).isNotNull());
  }

  @Test
  @DisplayName("reconnecting with ?after=SEQ delivers exactly what was missed, in order, without repeats")
  void resumeAfterDisconnect() {
    String[] order = order();
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    FeedClient first = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), order[1], null).await();
    int seen = first.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await().getInteger("seq");
    first.close().await();

    report(order, "PICKED_UP");
    report(order, "DELIVERED");
    FeedClient second = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order) + "?after=" + seen, order[1], null).await();

    second.await(m -> "DELIVERED".equals(m.getString("to")), DEADLINE).await();
    assertThat(second.messages.stream().map(m -> m.getString("type")).toList()).doesNotContain("snapshot");
    assertThat(second.statusSeqs()).containsExactly(seen + 1, seen + 2);
    assertThat(second.messages.stream().filter(m -> "status".equals(m.getString("type"))).map(m -> m.getString("to")))
      .containsExactly("PICKED_UP", "DELIVERED");
  }

  @Test
  @DisplayName("after a service restart, resuming replays the missed status events from the durable history")
  void resumeAfterRestart() {
    String[] order = order();
    FeedClient first = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), order[1], null).await();
    int seen = first.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await().getInteger("seq");

    app.app.stop().await();
    OmsApplication restarted = OmsApplication.start(app.vertx, app.config, app.clock,
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).await();
    try {
      assertThat(first.closed.future().await()).isNotNull();
      // the stop may have cut the saga mid-step: the sweeper resumes it once the step counts as stalled
      app.clock.advance(app.config.order().stallAfter().plusSeconds(1));
      com.oms.testing.Api restartedApi = restartedApi(restarted);
      Poll.until(app.vertx, () -> restartedApi.order(order[0], order[1]),
        o -> o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED"), DEADLINE, "assignment").await();
      // the snapshot may have come after the assignment already: a pickup after the restart is sure to be new
      expect(restartedApi.post("/v1/deliveries/" + order[0] + "/status", restartedApi.partnerToken(partner),
        new JsonObject().put("status", "PICKED_UP")), 200).await();
      FeedClient second = FeedClient.connect(app.vertx, restarted.httpPort(), feed(order) + "?after=" + seen, order[1], null).await();
      second.await(m -> "PICKED_UP".equals(m.getString("to")), DEADLINE).await();
      List<Integer> seqs = second.statusSeqs();
      assertThat(seqs).isNotEmpty().doesNotHaveDuplicates().isSorted();
      assertThat(seqs.get(0)).isEqualTo(seen + 1);
      assertThat(seqs.get(seqs.size() - 1) - seqs.get(0)).isEqualTo(seqs.size() - 1);
    } finally {
      restarted.stop().await();
      app = com.oms.testing.TestApp.start(app.vertx, this::configure).await();
      api = app.api;
    }
  }

  private com.oms.testing.Api restartedApi(OmsApplication restarted) {
    return new com.oms.testing.Api(io.vertx.ext.web.client.WebClient.create(app.vertx,
      new io.vertx.ext.web.client.WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(restarted.httpPort())),
      app.tokens);
  }

  @Test
  @DisplayName("no token, another customer's token, a partner's token: closed with 1008 before any order data")
  void refusedWith1008() {
    String[] order = order();
    for (String token : new String[] {null, api.customerToken(unique("stranger")), api.partnerToken(partner), "garbage"}) {
      FeedClient client = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), token, null).await();
      assertThat(client.closed.future().await()).isEqualTo((short) 1008);
      assertThat(client.messages).isEmpty();
    }
    // the token may come as a query parameter, for browsers
    FeedClient viaQuery = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order) + "?access_token=" + order[1], null, null).await();
    viaQuery.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await();
    FeedClient admin = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), api.adminToken(), null).await();
    admin.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await();
  }

  @Test
  @DisplayName("a browser Origin outside the allowlist is refused; the service's own and listed origins are accepted")
  void origins() {
    String[] order = order();
    Future<FeedClient> evil = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), order[1], "https://evil.example");
    evil.otherwiseEmpty().await();
    assertThat(evil.failed()).isTrue();
    assertThat(evil.cause()).hasMessageContaining("403");
    // a plain GET of the feed's address is told how to connect
    io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> plain = api.get(feed(order), order[1]).await();
    assertThat(plain.statusCode()).isEqualTo(426);
    assertThat(plain.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(plain.bodyAsJsonObject().getString("detail")).contains("Upgrade: websocket");
    for (String origin : new String[] {"https://shop.example.com", "http://127.0.0.1:" + app.app.httpPort()}) {
      FeedClient ok = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), order[1], origin).await();
      ok.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await();
    }
  }

  @Test
  @DisplayName("a client that stops reading: its location updates are coalesced, and if its queue stays full it is disconnected")
  void slowClient() {
    String[] order = order();
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    FeedClient client = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), order[1], null).await();
    client.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await();
    int watchingBefore = app.app.trackingHub().watching();
    client.socket.pause();

    // far more than the socket buffers hold: the server's queue fills and stays full
    String text = "x".repeat(2000);
    for (int i = 0; i < 6000; i++) {
      app.vertx.eventBus().publish(Addresses.ORDER_NOTICE, new JsonObject().put("orderId", order[0]).put("kind", "TEST")
        .put("message", text).put("at", "now"));
    }
    Poll.until(app.vertx, () -> Future.succeededFuture(app.app.trackingHub().watching()), n -> n < watchingBefore,
      Duration.ofSeconds(20), "the slow client to be dropped").await();
    client.socket.resume();

    assertThat(client.closed.future().await()).isEqualTo((short) 1013);
  }

  @Test
  @DisplayName("while a client is slow, only its latest partner location is kept for it")
  void locationsCoalesced() {
    String[] order = order();
    awaitStatus(order, "DELIVERY_PARTNER_ASSIGNED");
    FeedClient client = FeedClient.connect(app.vertx, app.app.httpPort(), feed(order), order[1], null).await();
    client.await(m -> m.getString("type").equals("snapshot"), DEADLINE).await();
    client.socket.pause();
    // fill the socket buffers and the server's queue with notices, then move the partner 40,000 times
    String text = "x".repeat(2000);
    for (int i = 0; i < 3000; i++) {
      app.vertx.eventBus().publish(Addresses.ORDER_NOTICE, new JsonObject().put("orderId", order[0]).put("kind", "TEST")
        .put("message", text).put("at", "now"));
    }
    for (int i = 1; i <= 40000; i++) {
      app.vertx.eventBus().publish(Addresses.DELIVERY_PARTNER_MOVED, new JsonObject().put("orderId", order[0])
        .put("partnerId", partner).put("lat", 50.0 + i / 1_000_000.0).put("lon", 8.0).put("at", "t" + i));
    }
    // read again well before the slow-client limit
    app.vertx.setTimer(1000, id -> client.socket.resume());

    JsonObject last = client.await(m -> "t40000".equals(m.getString("at")), Duration.ofSeconds(20)).await();
    long locations = client.messages.stream().filter(m -> "location".equals(m.getString("type"))).count();
    assertThat(last.getDouble("lat")).isEqualTo(50.04);
    assertThat(locations).as("coalesced while the client was not reading").isLessThan(40000);
  }
}
