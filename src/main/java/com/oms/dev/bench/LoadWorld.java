package com.oms.dev.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shape of a load test's world and its seeding through the admin API. Stores come in two kinds:
 * {@code load-store-N}, served by ordinary partners (their orders stop at DELIVERY_PARTNER_ASSIGNED: the
 * placement path only), and {@code load-sim-store-N}, served by simulated partners ({@code sim-rider-…})
 * that pick up and deliver on their own when the service runs in simulation mode (full lifecycles).
 * Stores are 55 km apart so each is served only by its own partners. Seeding is idempotent: it sets
 * absolute stock, registers partners once and tops wallets up once per key.
 */
public record LoadWorld(int stores, int skus, int customers, int partnersPerStore, long stockPerSku, long walletBalance) {

  static final String CURRENCY = "INR";
  static final long PRICE = 1000;

  static LoadWorld fromEnv(Map<String, String> env) {
    return new LoadWorld(
      Integer.parseInt(env.getOrDefault("LOAD_STORES", "10")),
      Integer.parseInt(env.getOrDefault("LOAD_SKUS", "100")),
      Integer.parseInt(env.getOrDefault("LOAD_CUSTOMERS", "10000")),
      Integer.parseInt(env.getOrDefault("LOAD_PARTNERS_PER_STORE", "10")),
      Long.parseLong(env.getOrDefault("LOAD_STOCK", "1000000000")),
      Long.parseLong(env.getOrDefault("LOAD_WALLET_BALANCE", "0")));
  }

  /** {@code scripts/seed.sh}: seeds a running service ({@code LOAD_URL}, default http://localhost:8080). */
  public static void main(String[] args) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.putIfAbsent("LOAD_URL", "http://localhost:8080");
    LoadWorld world = fromEnv(env).withWallets();
    try (LoadTest target = LoadTest.create(LoadTest.Settings.fromEnv(env), world, env)) {
      world.seed(target.http(), subject -> target.tokens().mint(subject, "admin"),
        partner -> target.tokens().mint(partner, "partner"));
    }
  }

  /** This world with wallets to pay from ({@code LOAD_WALLET_BALANCE}, else 10^10 minor units each). */
  LoadWorld withWallets() {
    return walletBalance > 0 ? this
      : new LoadWorld(stores, skus, customers, partnersPerStore, stockPerSku, 10_000_000_000L);
  }

  static String store(int i, boolean simulated) {
    return (simulated ? "load-sim-store-" : "load-store-") + i;
  }

  static String sku(int k) {
    return "sku-" + k;
  }

  static String customer(int c) {
    return "load-cust-" + c;
  }

  static String partner(int store, int j, boolean simulated) {
    return (simulated ? "sim-rider-" : "load-rider-") + store + "-" + j;
  }

  static double lat(int store) {
    return 8.0 + store * 0.5;
  }

  static double lon(boolean simulated) {
    return simulated ? 78.6 : 77.6;
  }

  /** Seeds both kinds of store, their stock and partners, and the customers' wallets; prints progress. */
  void seed(WebClient http, Function<String, String> adminToken, Function<String, String> partnerToken) {
    String admin = adminToken.apply("load-admin");
    List<Supplier<Future<HttpResponse<Buffer>>>> calls = new ArrayList<>();
    for (boolean simulated : new boolean[] {false, true}) {
      for (int i = 0; i < stores; i++) {
        String store = store(i, simulated);
        JsonObject body = new JsonObject().put("name", "Load store " + store)
          .put("location", new JsonObject().put("lat", lat(i)).put("lon", lon(simulated)));
        calls.add(() -> http.put("/v1/stores/" + store).putHeader("Authorization", "Bearer " + admin).sendJsonObject(body));
      }
    }
    long took = run("stores", calls);
    calls.clear();
    for (boolean simulated : new boolean[] {false, true}) {
      for (int i = 0; i < stores; i++) {
        for (int k = 0; k < skus; k++) {
          String path = "/v1/stores/" + store(i, simulated) + "/inventory/" + sku(k);
          JsonObject body = new JsonObject().put("quantity", stockPerSku)
            .put("price", new JsonObject().put("amount", PRICE).put("currency", CURRENCY));
          calls.add(() -> http.put(path).putHeader("Authorization", "Bearer " + admin).sendJsonObject(body));
        }
        for (int j = 0; j < partnersPerStore; j++) {
          String partner = partner(i, j, simulated);
          double lat = lat(i) + 0.001 * (j + 1);
          double lon = lon(simulated);
          String token = partnerToken.apply(partner);
          calls.add(() -> http.post("/v1/partners").putHeader("Authorization", "Bearer " + admin)
            .sendJsonObject(new JsonObject().put("partnerId", partner).put("name", "Rider " + partner).put("phone", "+919800000000"))
            .compose(registered -> http.put("/v1/partners/" + partner + "/availability").putHeader("Authorization", "Bearer " + token)
              .sendJsonObject(new JsonObject().put("available", true)
                .put("location", new JsonObject().put("lat", lat).put("lon", lon)))));
        }
      }
    }
    took += run("stock and partners", calls);
    calls.clear();
    if (walletBalance > 0) {
      for (int c = 0; c < customers; c++) {
        String customer = customer(c);
        JsonObject body = new JsonObject().put("amount", new JsonObject().put("amount", walletBalance).put("currency", CURRENCY));
        calls.add(() -> http.post("/v1/wallets/" + customer + "/topups").putHeader("Authorization", "Bearer " + admin)
          .putHeader("Idempotency-Key", "load-seed-" + customer + "-" + walletBalance).sendJsonObject(body));
      }
      took += run("wallets", calls);
    }
    System.out.printf("seeded %d + %d stores x %d SKUs (stock %,d each), %d partners per store, %s in %.1f s%n",
      stores, stores, skus, stockPerSku, partnersPerStore,
      walletBalance > 0 ? String.format("%,d wallets of %,d", customers, walletBalance) : "no wallets", took / 1e9);
  }

  /** Runs the calls with at most 32 in flight; fails on the first answer that is not 2xx (409 for an existing partner is fine). */
  private static long run(String what, List<Supplier<Future<HttpResponse<Buffer>>>> calls) {
    long started = System.nanoTime();
    Semaphore inFlight = new Semaphore(32);
    AtomicLong failed = new AtomicLong();
    List<String> firstFailure = new ArrayList<>();
    for (Supplier<Future<HttpResponse<Buffer>>> call : calls) {
      inFlight.acquireUninterruptibly();
      call.get().onComplete(ar -> {
        if (ar.failed() || ar.result().statusCode() >= 300) {
          failed.incrementAndGet();
          synchronized (firstFailure) {
            if (firstFailure.isEmpty()) {
              firstFailure.add(ar.failed() ? ar.cause().toString() : ar.result().statusCode() + " " + ar.result().bodyAsString());
            }
          }
        }
        inFlight.release();
      });
    }
    inFlight.acquireUninterruptibly(32);
    if (failed.get() > 0) {
      throw new IllegalStateException("seeding " + what + ": " + failed.get() + " of " + calls.size() + " calls failed, first: "
        + firstFailure.get(0));
    }
    return System.nanoTime() - started;
  }
}
