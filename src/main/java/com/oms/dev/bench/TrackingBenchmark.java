package com.oms.dev.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * How many tracking feeds one service process holds, what each costs, and how quickly a partner's
 * location report reaches the customers watching. The service runs as its own process (so its memory is
 * its own); this process, for each N, places a batch of orders, has partners carry them, opens N feeds
 * spread over the orders, has every partner report its location at a steady rate for a while, then has
 * the partners pick up and deliver every order.
 *
 * <p>Latency is from just before the location or status POST leaves this process to the feed message
 * arriving here. Each location report's longitude carries a serial number so the message can be matched
 * to its POST; a status message is matched by its order and new status.
 *
 * <pre>TRACK_CONNECTIONS=1000,10000 TRACK_ORDERS=1000 TRACK_SECONDS=20 scripts/bench-tracking.sh</pre>
 */
public final class TrackingBenchmark {

  private static final String STORE = "track-bench-store";
  private static final int PARTNERS = 20;
  private static final double BASE_LON = 77.59;
  private static final double SERIAL_STEP = 1e-6;

  private final ServiceWorld world;
  private final Vertx vertx;
  private final int orderCount;
  private final List<String> orders = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> ownerOf = new ConcurrentHashMap<>();
  private final Map<Long, Long> reportSentAt = new ConcurrentHashMap<>();
  private final Map<String, Long> statusSentAt = new ConcurrentHashMap<>();
  private final AtomicLong serial = new AtomicLong();

  private TrackingBenchmark(ServiceWorld world, int orderCount) {
    this.world = world;
    this.vertx = world.vertx;
    this.orderCount = orderCount;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    int[] sizes = Arrays.stream(env.getOrDefault("TRACK_CONNECTIONS", "1000,10000").split(","))
      .map(String::trim).mapToInt(Integer::parseInt).toArray();
    int orderCount = Integer.parseInt(env.getOrDefault("TRACK_ORDERS", "1000"));
    int seconds = Integer.parseInt(env.getOrDefault("TRACK_SECONDS", "20"));
    double reportsPerPartnerPerSecond = Double.parseDouble(env.getOrDefault("TRACK_REPORTS_PER_SECOND", "1"));
    int statusPerSecond = Integer.parseInt(env.getOrDefault("TRACK_STATUS_PER_SECOND", "200"));
    int capacity = (orderCount + PARTNERS - 1) / PARTNERS;
    try (ServiceWorld world = ServiceWorld.start(Map.of(
      "OMS_DELIVERY_PARTNER_CAPACITY", String.valueOf(capacity),
      "OMS_WORLD_SERVICE_HEAP", env.getOrDefault("TRACK_SERVICE_HEAP", "1g")))) {
      TrackingBenchmark benchmark = new TrackingBenchmark(world, orderCount);
      benchmark.seed(orderCount * sizes.length);
      say(String.format("machine: %d cores, %s; service heap %s; location reports %.1f/s per partner, "
          + "status changes %d/s", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
        env.getOrDefault("TRACK_SERVICE_HEAP", "1g"), reportsPerPartnerPerSecond, statusPerSecond));
      for (int size : sizes) {
        benchmark.measure(size, Duration.ofSeconds(seconds), reportsPerPartnerPerSecond, statusPerSecond);
      }
    }
    System.exit(0);
  }

  // the world ---------------------------------------------------------------------------------------

  private void seed(int meals) {
    String admin = world.admin();
    world.http.put("/v1/stores/" + STORE).putHeader("Authorization", "Bearer " + admin).sendJsonObject(new JsonObject()
      .put("name", "Tracking bench store").put("location", new JsonObject().put("lat", 12.97).put("lon", 77.59))).await();
    world.http.put("/v1/stores/" + STORE + "/inventory/meal").putHeader("Authorization", "Bearer " + admin)
      .sendJsonObject(new JsonObject().put("quantity", meals)
        .put("price", new JsonObject().put("amount", 25000).put("currency", "INR"))).await();
    for (int i = 0; i < PARTNERS; i++) {
      String partner = partner(i);
      world.http.post("/v1/partners").putHeader("Authorization", "Bearer " + admin).sendJsonObject(new JsonObject()
        .put("partnerId", partner).put("name", "Rider " + i).put("phone", String.format("+9198%08d", i))).await();
      world.http.put("/v1/partners/" + partner + "/availability")
        .putHeader("Authorization", "Bearer " + world.tokens.mint(partner, "partner"))
        .sendJsonObject(new JsonObject().put("available", true)
          .put("location", new JsonObject().put("lat", 12.97 + i * 0.001).put("lon", BASE_LON))).await();
    }
  }

  /** A fresh batch of orders, each of its own customer, assigned to the partners before it returns. */
  private void placeOrders() throws InterruptedException {
    orders.clear();
    long started = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < 32; lane++) {
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> placeNext(next, done));
      lanes.add(done.future());
    }
    Future.all(lanes).await();
    if (orders.size() != orderCount) {
      throw new IllegalStateException("only " + orders.size() + " of " + orderCount + " orders were accepted");
    }
    awaitAssignments(Duration.ofMinutes(3));
    say(String.format("%,d orders placed and assigned to %d partners in %.1f s", orderCount, PARTNERS,
      (System.nanoTime() - started) / 1e9));
  }

  private void placeNext(AtomicInteger next, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= orderCount) {
      done.complete();
      return;
    }
    String customer = "track-cust-" + serial.incrementAndGet();
    JsonObject body = new JsonObject().put("storeId", STORE)
      .put("items", new JsonArray().add(new JsonObject().put("sku", "meal").put("quantity", 1)))
      .put("payment", new JsonObject().put("method", "CREDIT_CARD").put("card", new JsonObject().put("token", "tok_visa")))
      .put("delivery", new JsonObject().put("address", i + " Benchmark Road")
        .put("location", new JsonObject().put("lat", 12.98).put("lon", 77.60)))
      .put("contact", new JsonObject().put("email", customer + "@example.com"));
    world.http.post("/v1/orders").putHeader("Authorization", "Bearer " + world.tokens.mint(customer, "customer"))
      .timeout(30_000).sendJsonObject(body).onComplete(ar -> {
        if (ar.succeeded() && ar.result().statusCode() == 201) {
          String orderId = ar.result().bodyAsJsonObject().getString("orderId");
          orders.add(orderId);
          ownerOf.put(orderId, customer);
        } else {
          say("placement " + i + " refused: " + (ar.succeeded() ? ar.result().bodyAsString() : ar.cause()));
        }
        placeNext(next, done);
      });
  }

  private void awaitAssignments(Duration deadline) throws InterruptedException {
    long giveUp = System.nanoTime() + deadline.toNanos();
    int assigned = 0;
    while (System.nanoTime() < giveUp) {
      assigned = 0;
      for (int i = 0; i < PARTNERS; i++) {
        String partner = partner(i);
        JsonObject deliveries = world.http.get("/v1/partners/" + partner + "/deliveries")
          .putHeader("Authorization", "Bearer " + world.tokens.mint(partner, "partner")).send().await().bodyAsJsonObject();
        assigned += (int) deliveries.getJsonArray("deliveries").stream()
          .filter(d -> "ASSIGNED".equals(((JsonObject) d).getString("status"))).count();
      }
      if (assigned == orderCount) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("only " + assigned + " of " + orderCount + " orders got a partner");
  }

  // one measurement ---------------------------------------------------------------------------------

  private void measure(int connections, Duration period, double reportsPerPartnerPerSecond, int statusPerSecond)
      throws Exception {
    say("");
    say("== " + connections + " feeds over " + orderCount + " orders ==");
    placeOrders();
    Footprint before = footprint();
    Histogram latency = new Histogram(60_000_000L, 3);
    Histogram statusLatency = new Histogram(60_000_000L, 3);
    AtomicLong received = new AtomicLong();
    AtomicLong statusReceived = new AtomicLong();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxConnections(connections).setConnectTimeout(30_000));
    List<WebSocket> sockets = open(client, connections, new Meters(latency, received, statusLatency, statusReceived));
    AtomicLong closedEarly = new AtomicLong();
    sockets.forEach(socket -> socket.closeHandler(v -> closedEarly.incrementAndGet()));
    Thread.sleep(2000);
    Footprint held = footprint();
    say(String.format("feeds open: %d of %d", sockets.size() - closedEarly.get(), connections));
    say(String.format("service RSS %,d KiB -> %,d KiB: %.1f KiB per feed", before.rssKb, held.rssKb,
      (held.rssKb - before.rssKb) / (double) connections));
    say(String.format("service live heap after GC %,d KiB -> %,d KiB: %.1f KiB per feed", before.heapKb, held.heapKb,
      (held.heapKb - before.heapKb) / (double) connections));
    if (System.getenv("TRACK_HEAP_HISTOGRAM") != null) {
      run(jcmd(), String.valueOf(world.servicePid()), "GC.class_histogram").stream().limit(30).forEach(TrackingBenchmark::say);
    }

    synchronized (latency) {
      latency.reset();
    }
    received.set(0);
    long reports = report(period, reportsPerPartnerPerSecond);
    Thread.sleep(2000); // let the last reports arrive
    long expected = reports * connections / PARTNERS;
    synchronized (latency) {
      say(String.format("%,d location reports -> %,d feed messages (%,d if none coalesced)", reports, received.get(),
        expected));
      say(String.format("report-to-feed latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms",
        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
        latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0));
    }
    long changes = changeStatuses(statusPerSecond);
    Thread.sleep(2000);
    synchronized (statusLatency) {
      say(String.format("%,d status changes (pickup, then delivery) -> %,d feed messages (%,d expected)", changes,
        statusReceived.get(), changes * connections / orderCount));
      say(String.format("change-to-feed latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms",
        statusLatency.getValueAtPercentile(50) / 1000.0, statusLatency.getValueAtPercentile(99) / 1000.0,
        statusLatency.getValueAtPercentile(99.9) / 1000.0, statusLatency.getMaxValue() / 1000.0));
    }
    say(String.format("feeds still open after the run: %d", sockets.size() - closedEarly.get()));
    Future.all(sockets.stream().map(WebSocket::close).toList()).otherwiseEmpty().await();
    client.close().await();
    Thread.sleep(3000); // the service lets go of the closed feeds before the next size
  }

  private record Meters(Histogram locationLatency, AtomicLong locations, Histogram statusLatency, AtomicLong statuses) {
  }

  private List<WebSocket> open(WebSocketClient client, int connections, Meters meters) {
    List<WebSocket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicLong failures = new AtomicLong();
    List<Future<Void>> lanes = new ArrayList<>();
    long started = System.nanoTime();
    for (int lane = 0; lane < 200; lane++) {
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> openNext(client, connections, next, sockets, failures, meters, done));
      lanes.add(done.future());
    }
    Future.all(lanes).await();
    say(String.format("opened %,d feeds in %.1f s (%d refused)", sockets.size(), (System.nanoTime() - started) / 1e9,
      failures.get()));
    return sockets;
  }

  private void openNext(WebSocketClient client, int connections, AtomicInteger next, List<WebSocket> sockets,
                        AtomicLong failures, Meters meters, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= connections) {
      done.complete();
      return;
    }
    String orderId = orders.get(i % orders.size());
    String token = world.tokens.mint(ownerOf.get(orderId), "customer");
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(world.servicePort)
      .setURI("/v1/orders/" + orderId + "/track").addHeader("Authorization", "Bearer " + token);
    Promise<Void> snapshot = Promise.promise();
    client.connect(options).compose(socket -> {
      socket.textMessageHandler(text -> onMessage(orderId, new JsonObject(text), meters, snapshot));
      sockets.add(socket);
      return snapshot.future();
    }).onComplete(ar -> {
      if (ar.failed()) {
        failures.incrementAndGet();
      }
      openNext(client, connections, next, sockets, failures, meters, done);
    });
  }

  private void onMessage(String orderId, JsonObject message, Meters meters, Promise<Void> snapshot) {
    long arrived = System.nanoTime();
    switch (message.getString("type")) {
      case "snapshot" -> snapshot.tryComplete();
      case "location" -> record(reportSentAt.get(Math.round((message.getDouble("lon") - BASE_LON) / SERIAL_STEP)),
        arrived, meters.locationLatency(), meters.locations());
      case "status" -> record(statusSentAt.get(orderId + ":" + message.getString("to")), arrived,
        meters.statusLatency(), meters.statuses());
      default -> { }
    }
  }

  private static void record(Long sentAt, long arrived, Histogram histogram, AtomicLong count) {
    if (sentAt == null) {
      return;
    }
    count.incrementAndGet();
    synchronized (histogram) {
      histogram.recordValue(Math.max(1, (arrived - sentAt) / 1000));
    }
  }

  /**
   * Partners pick up every order of the batch, then deliver it, at the given rate (open loop); returns the
   * changes made. Each change reaches the order's feeds from the order's history, through the node's one
   * subscription.
   */
  private long changeStatuses(int perSecond) {
    Map<String, String> carrier = new java.util.HashMap<>();
    for (int i = 0; i < PARTNERS; i++) {
      String partner = partner(i);
      world.http.get("/v1/partners/" + partner + "/deliveries")
        .putHeader("Authorization", "Bearer " + world.tokens.mint(partner, "partner")).send().await()
        .bodyAsJsonObject().getJsonArray("deliveries")
        .forEach(d -> carrier.put(((JsonObject) d).getString("orderId"), partner));
    }
    long interval = 1_000_000_000L / perSecond;
    long next = System.nanoTime();
    long made = 0;
    AtomicLong refused = new AtomicLong();
    for (String status : List.of("PICKED_UP", "DELIVERED")) {
      for (String orderId : orders) {
        long now = System.nanoTime();
        if (now < next) {
          java.util.concurrent.locks.LockSupport.parkNanos(next - now);
        }
        next += interval;
        String partner = carrier.get(orderId);
        statusSentAt.put(orderId + ":" + status, System.nanoTime());
        world.http.post("/v1/deliveries/" + orderId + "/status")
          .putHeader("Authorization", "Bearer " + world.tokens.mint(partner, "partner"))
          .sendJsonObject(new JsonObject().put("status", status)).onComplete(ar -> {
            if (ar.failed() || ar.result().statusCode() != 200) {
              refused.incrementAndGet();
            }
          });
        made++;
      }
      // every pickup is in before the first delivery of the batch
      long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < settle) {
        java.util.concurrent.locks.LockSupport.parkNanos(settle - System.nanoTime());
      }
      next = System.nanoTime();
    }
    if (refused.get() > 0) {
      say(refused.get() + " status changes were refused");
    }
    return made - refused.get();
  }

  /** Every partner reports its location at the given rate for the period, open loop; returns reports sent. */
  private long report(Duration period, double perPartnerPerSecond) {
    long interval = (long) (1_000_000_000L / (perPartnerPerSecond * PARTNERS));
    long end = System.nanoTime() + period.toNanos();
    long next = System.nanoTime();
    long sent = 0;
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < PARTNERS; i++) {
      tokens.add(world.tokens.mint(partner(i), "partner"));
    }
    while (System.nanoTime() < end) {
      long now = System.nanoTime();
      if (now < next) {
        java.util.concurrent.locks.LockSupport.parkNanos(next - now);
        continue;
      }
      next += interval;
      int p = (int) (sent % PARTNERS);
      long number = serial.incrementAndGet();
      JsonObject location = new JsonObject().put("lat", 12.97 + p * 0.001).put("lon", BASE_LON + number * SERIAL_STEP);
      reportSentAt.put(number, System.nanoTime());
      world.http.post("/v1/partners/" + partner(p) + "/location").putHeader("Authorization", "Bearer " + tokens.get(p))
        .sendJsonObject(location).onComplete(ar -> {
          if (ar.failed() || ar.result().statusCode() != 200) {
            say("location report refused: " + (ar.succeeded() ? ar.result().bodyAsString() : ar.cause()));
          }
        });
      sent++;
    }
    return sent;
  }

  // the service's memory ----------------------------------------------------------------------------

  private record Footprint(long rssKb, long heapKb) {
  }

  /** RSS from /proc, and the heap in use right after a full GC (jcmd), of the service process. */
  private Footprint footprint() throws Exception {
    String jcmd = jcmd();
    String pid = String.valueOf(world.servicePid());
    run(jcmd, pid, "GC.run");
    long heapKb = -1;
    for (String line : run(jcmd, pid, "GC.heap_info")) {
      java.util.regex.Matcher used = java.util.regex.Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(line);
      if (used.find()) {
        heapKb = Long.parseLong(used.group(2));
        break;
      }
    }
    return new Footprint(world.serviceRssKb(), heapKb);
  }

  private static String jcmd() {
    return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
  }

  private static List<String> run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new String(process.getInputStream().readAllBytes()).lines().toList();
    process.waitFor();
    return lines;
  }

  private static String partner(int i) {
    return "track-rider-" + i;
  }

  private static void say(String line) {
    System.out.println(line);
  }
}
