package com.oms.dev.bench;

import com.oms.http.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault suite: the service runs as its own process under order load while this process, playing the
 * rest of the world (Postgres, Redis, the payment gateway, SMS/push providers, SMTP, customers and
 * partners), kills it with SIGKILL and restarts it, restarts Redis (which comes back empty), and restarts
 * Postgres. Once quiet it checks and prints: every order that got a 201 exists, every order is final or
 * legitimately in flight, Redis equals Postgres for every SKU, nothing is oversold, no charge at the
 * gateway lacks its order, and no charge was refunded twice. Exit code 1 if any check fails.
 *
 * <p>{@code scripts/fault-suite.sh} runs it; the test suite runs a short form.
 */
public final class FaultSuite {

  public record Settings(Duration phase, int ratePerSecond, Duration quietDeadline) {
  }

  public record Result(Map<String, Long> figures, List<String> violations) {
    public boolean passed() {
      return violations.isEmpty();
    }
  }

  private static final List<String> SKUS = List.of("s1", "s2", "s3", "s4", "s5", "s6");
  private static final String STORE = "fault-store";

  private final Settings settings;
  private final Random random = new Random(7);
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private ServiceWorld world;
  private Vertx vertx;
  private WebClient http;
  private Tokens tokens;
  private volatile boolean loading;

  public FaultSuite(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    Duration phase = Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("FAULT_PHASE_SECONDS", "20")));
    int rate = Integer.parseInt(System.getenv().getOrDefault("FAULT_RATE", "40"));
    Result result = new FaultSuite(new Settings(phase, rate, Duration.ofSeconds(90))).run();
    System.exit(result.passed() ? 0 : 1);
  }

  public Result run() throws Exception {
    try {
      world = ServiceWorld.start(Map.of(
        "OMS_WORLD_SERVICE_HEAP", "768m",
        "OMS_ORDER_SWEEP_INTERVAL", "PT1S",
        "OMS_ORDER_STALL_AFTER", "PT3S",
        "OMS_INVENTORY_RECONCILE_INTERVAL", "PT5S",
        "OMS_DELIVERY_PARTNER_CAPACITY", "50",
        "OMS_HTTP_INSTANCES", "2",
        "OMS_HTTP_RATE_LIMIT_ENABLED", "false", // its partners post a backlog of reports at once after each fault
        "OMS_ORDER_INSTANCES", "2"));
      vertx = world.vertx;
      http = world.http;
      tokens = world.tokens;
      seed();
      loading = true;
      Thread load = new Thread(this::loadLoop, "fault-load");
      Thread partners = new Thread(this::partnerLoop, "fault-partners");
      load.start();
      partners.start();
      pause(settings.phase());
      say("fault 1: SIGKILL the service, start it again");
      world.killService();
      world.startService();
      pause(settings.phase());
      say("fault 2: restart Redis (it comes back empty)");
      world.restartRedis(Duration.ofSeconds(2));
      pause(settings.phase());
      say("fault 3: restart Postgres");
      world.restartPostgres(Duration.ofSeconds(2));
      pause(settings.phase());
      loading = false;
      load.join();
      say("load stopped; waiting for the service to settle");
      Result result = settleAndCheck();
      partners.interrupt();
      partners.join();
      print(result);
      if (result.passed()) {
        world.discardData();
      }
      return result;
    } finally {
      if (world != null) {
        world.close();
      }
    }
  }

  private void seed() {
    String admin = tokens.mint("fault-admin", "admin");
    http.put("/v1/stores/" + STORE).putHeader("Authorization", "Bearer " + admin).sendJsonObject(new JsonObject().put("name", "Fault store")
      .put("location", new JsonObject().put("lat", 12.97).put("lon", 77.59))).await();
    for (String sku : SKUS) {
      http.put("/v1/stores/" + STORE + "/inventory/" + sku).putHeader("Authorization", "Bearer " + admin).sendJsonObject(new JsonObject()
        .put("quantity", 400).put("price", new JsonObject().put("amount", 1000).put("currency", "INR"))).await();
    }
    for (int i = 0; i < 4; i++) {
      String partner = "fault-rider-" + i;
      http.post("/v1/partners").putHeader("Authorization", "Bearer " + admin).sendJsonObject(new JsonObject().put("partnerId", partner)
        .put("name", "Rider " + i).put("phone", "+91980000000" + i)).await();
      http.put("/v1/partners/" + partner + "/availability").putHeader("Authorization", "Bearer " + tokens.mint(partner, "partner"))
        .sendJsonObject(new JsonObject().put("available", true)
          .put("location", new JsonObject().put("lat", 12.97 + i * 0.001).put("lon", 77.59))).await();
    }
  }

  // load --------------------------------------------------------------------------------------------

  /** Open loop: one placement every 1/rate seconds, whatever the answers; some cancelled at once. */
  private void loadLoop() {
    long interval = 1_000_000_000L / settings.ratePerSecond();
    long next = System.nanoTime();
    while (loading) {
      long now = System.nanoTime();
      if (now < next) {
        java.util.concurrent.locks.LockSupport.parkNanos(next - now);
        continue;
      }
      next += interval;
      placeOne();
    }
  }

  private void placeOne() {
    String customer = "fault-cust-" + random.nextInt(200);
    String token = tokens.mint(customer, "customer");
    JsonArray items = new JsonArray();
    List<String> skus = new ArrayList<>(SKUS);
    java.util.Collections.shuffle(skus, random);
    for (String sku : skus.subList(0, 1 + random.nextInt(3))) {
      items.add(new JsonObject().put("sku", sku).put("quantity", 1 + random.nextInt(2)));
    }
    String card = random.nextInt(10) == 0 ? "tok_chargeDeclined" : "tok_visa";
    boolean cancel = random.nextInt(8) == 0;
    JsonObject body = new JsonObject().put("storeId", STORE).put("items", items)
      .put("payment", new JsonObject().put("method", "CREDIT_CARD").put("card", new JsonObject().put("token", card)))
      .put("delivery", new JsonObject().put("address", "1 Fault Street")
        .put("location", new JsonObject().put("lat", 12.98).put("lon", 77.60)))
      .put("contact", new JsonObject().put("email", customer + "@example.com"));
    sent.incrementAndGet();
    http.post("/v1/orders").putHeader("Authorization", "Bearer " + token).timeout(10_000).sendJsonObject(body).onComplete(ar -> {
      String outcome = ar.succeeded() ? String.valueOf(ar.result().statusCode()) : "no answer";
      answers.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
      if (ar.succeeded() && ar.result().statusCode() == 201) {
        String orderId = ar.result().bodyAsJsonObject().getString("orderId");
        acknowledged.add(orderId);
        if (cancel) {
          http.post("/v1/orders/" + orderId + "/cancel").putHeader("Authorization", "Bearer " + token)
            .sendJsonObject(new JsonObject().put("reason", "fault suite")).onComplete(done -> { });
        }
      } else {
        refused.incrementAndGet();
      }
    });
  }

  /** Partners pick up and deliver what they are given, as the simulated world does. */
  private void partnerLoop() {
    while (!Thread.currentThread().isInterrupted()) {
      for (int i = 0; i < 4; i++) {
        String partner = "fault-rider-" + i;
        String token = tokens.mint(partner, "partner");
        http.get("/v1/partners/" + partner + "/deliveries").putHeader("Authorization", "Bearer " + token).send().onSuccess(response -> {
          if (response.statusCode() != 200) {
            return;
          }
          response.bodyAsJsonObject().getJsonArray("deliveries").forEach(d -> {
            JsonObject delivery = (JsonObject) d;
            String next = switch (delivery.getString("status")) {
              case "ASSIGNED" -> "PICKED_UP";
              case "PICKED_UP" -> "DELIVERED";
              default -> null;
            };
            if (next != null) {
              http.post("/v1/deliveries/" + delivery.getString("orderId") + "/status").putHeader("Authorization", "Bearer " + token)
                .sendJsonObject(new JsonObject().put("status", next)).onComplete(done -> { });
            }
          });
        });
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // checks ------------------------------------------------------------------------------------------

  private Result settleAndCheck() {
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(world.pgUrl())).using(vertx).build();
    Redis redisClient = Redis.createClient(vertx, world.redisUrl());
    try {
      List<String> unsettledStates = new ArrayList<>(Invariants.SERVICE_DRIVEN);
      unsettledStates.addAll(Invariants.PARTNER_DRIVEN); // the partner loop finishes every order
      Invariants.awaitSettled(pool, unsettledStates, settings.quietDeadline());
      pause(Duration.ofSeconds(6)); // one reconciliation interval, for a Redis that was rebuilt
      return check(pool, Invariants.check(pool, redisClient, "oms", acknowledged, unsettledStates));
    } finally {
      pool.close();
      redisClient.close();
    }
  }

  /** The shared invariants, plus what only this suite can see: the gateway's own record of charges. */
  private Result check(Pool pool, Invariants.Report shared) {
    Map<String, Long> figures = new LinkedHashMap<>();
    List<String> violations = new ArrayList<>(shared.violations());
    figures.put("placements sent", sent.get());
    answers.forEach((status, count) -> {
      figures.put("answered " + status, count.get());
      // a fault is answered 503 with Retry-After, or not at all while the service is down; never 500
      if (status.startsWith("5") && !status.equals("503")) {
        violations.add(count.get() + " placements answered " + status + " instead of 503");
      }
    });
    figures.putAll(shared.figures());
    Set<String> stored = ConcurrentHashMap.newKeySet();
    pool.query("SELECT order_id FROM orders").execute().await().forEach(row -> stored.add(row.getUUID("order_id").toString()));
    long orphanCharges = world.gateway.chargeReferences().stream().filter(reference -> !stored.contains(reference)).count();
    figures.put("gateway charges", (long) world.gateway.chargeReferences().size());
    figures.put("gateway charges without an order", orphanCharges);
    if (orphanCharges > 0) {
      violations.add(orphanCharges + " charges at the gateway have no order");
    }
    long doubleRefunds = world.gateway.chargeReferences().stream().filter(reference -> world.gateway.refundsFor(reference) > 1).count();
    figures.put("gateway refunds", world.gateway.refundsMade());
    figures.put("charges refunded more than once", doubleRefunds);
    if (doubleRefunds > 0) {
      violations.add(doubleRefunds + " charges were refunded more than once");
    }
    return new Result(figures, violations);
  }

  private void print(Result result) {
    say("");
    say("fault suite figures:");
    result.figures().forEach((name, value) -> say(String.format("  %-50s %d", name, value)));
    say(result.passed() ? "PASSED: every check holds" : "FAILED:");
    result.violations().forEach(violation -> say("  - " + violation));
    say("service log: " + world.serviceLog());
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void say(String line) {
    System.out.println(line);
  }
}
