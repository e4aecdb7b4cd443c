package com.oms.dev.bench;

import com.oms.bus.Addresses;
import com.oms.bus.StockCommand;
import com.oms.bus.StockLine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * scripts/bench-holds.sh: holds per second and latency of the service's hold path (the inventory command
 * over the event bus: the ledger row in Postgres, then hold.lua in Redis) for 1, 2 and 5 lines per order,
 * beside redis-benchmark running EVALSHA of the same script against the same Redis, the ceiling.
 * Prints figures; it does not pass or fail.
 */
public final class HoldBenchmark {

  private HoldBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_SECONDS", "10"));
    int inFlight = Integer.parseInt(System.getenv().getOrDefault("BENCH_CONCURRENCY", "64"));
    try (BenchServers servers = BenchServers.start(System.getenv())) {
      String store = "bench-store";
      seed(servers, store);
      System.out.printf("%nhold path: %d s per case, %d holds in flight, %d cores%n", seconds, inFlight,
        Runtime.getRuntime().availableProcessors());
      System.out.printf("%-8s %12s %10s %10s %10s %14s %8s%n", "lines", "holds/s", "p50 ms", "p99 ms", "max ms",
        "ceiling/s", "ratio");
      run(servers, store, 2, Math.max(5, seconds), inFlight); // JIT warm-up, not reported
      for (int lines : new int[] {1, 2, 5}) {
        run(servers, store, lines, Math.max(2, seconds / 5), inFlight); // warm-up of this case
        Result service = run(servers, store, lines, seconds, inFlight);
        Double ceiling = redisBenchmark(servers, store, lines);
        System.out.printf("%-8d %12.0f %10.2f %10.2f %10.2f %14s %8s%n", lines, service.rate(),
          service.histogram().getValueAtPercentile(50) / 1000.0, service.histogram().getValueAtPercentile(99) / 1000.0,
          service.histogram().getMaxValue() / 1000.0,
          ceiling == null ? "n/a" : String.format("%.0f", ceiling),
          ceiling == null ? "n/a" : String.format("%.2f", service.rate() / ceiling));
      }
      System.out.println("ceiling: redis-benchmark running EVALSHA of hold.lua on the same Redis and keys, 50 clients,"
        + " no pipelining, nothing else running (n/a: redis-benchmark is not installed)");
      System.out.println("the service's hold path includes the ledger row in Postgres (batched) and the event bus hop;"
        + " service, Postgres and Redis share this machine's cores");
    }
  }

  private static void seed(BenchServers servers, String store) {
    var bus = servers.vertx.eventBus();
    bus.request(Addresses.INVENTORY_PUT_STORE, new JsonObject().put("storeId", store).put("name", "bench")
      .put("location", new JsonObject().put("lat", 12.97).put("lon", 77.59))).await();
    for (int i = 0; i < 5; i++) {
      bus.request(Addresses.INVENTORY_PUT_STOCK, new JsonObject().put("storeId", store).put("sku", "sku-" + i)
        .put("quantity", 1_000_000_000)
        .put("price", new JsonObject().put("amount", 100).put("currency", "INR"))).await();
    }
  }

  record Result(double rate, Histogram histogram) {
  }

  private static Result run(BenchServers servers, String store, int lines, int seconds, int inFlight) {
    List<StockLine> orderLines = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      orderLines.add(new StockLine("sku-" + i, 1));
    }
    Histogram histogram = new Histogram(60_000_000L, 3);
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000);
    Promise<Void> finished = Promise.promise();
    AtomicLong running = new AtomicLong(inFlight);
    long start = System.nanoTime();
    servers.vertx.runOnContext(v -> {
      for (int i = 0; i < inFlight; i++) {
        loop(servers, store, orderLines, options, histogram, done, end, running, finished);
      }
    });
    finished.future().await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Result(done.get() / elapsed, histogram);
  }

  private static void loop(BenchServers servers, String store, List<StockLine> lines, DeliveryOptions options,
                           Histogram histogram, AtomicLong done, long end, AtomicLong running, Promise<Void> finished) {
    if (System.nanoTime() > end) {
      if (running.decrementAndGet() == 0) {
        finished.complete();
      }
      return;
    }
    long sent = System.nanoTime();
    StockCommand hold = new StockCommand(UUID.randomUUID().toString(), store, lines);
    servers.vertx.eventBus().request(Addresses.INVENTORY_HOLD, hold.toJson(), options).onComplete(ar -> {
      if (ar.succeeded()) {
        synchronized (histogram) {
          histogram.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
        }
        done.incrementAndGet();
      }
      loop(servers, store, lines, options, histogram, done, end, running, finished);
    });
  }

  /** EVALSHA of hold.lua from redis-benchmark, each call a new order; null when redis-benchmark is missing. */
  private static Double redisBenchmark(BenchServers servers, String store, int lines) throws Exception {
    String source = new String(HoldBenchmark.class.getClassLoader().getResourceAsStream("lua/hold.lua").readAllBytes(),
      StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    String prefix = servers.config.redis().keyPrefix() + ":inventory:v1:{" + store + "}:";
    List<String> command = new ArrayList<>(List.of("redis-benchmark", "-h", servers.redis.getHost(),
      "-p", String.valueOf(servers.redis.getPort()), "-n", "300000", "-c", "50", "-r", "1000000000", "-q",
      "EVALSHA", sha, String.valueOf(lines + 2), prefix + "ops", prefix + "hold:bench-__rand_int__"));
    for (int i = 0; i < lines; i++) {
      command.add(prefix + "stock:sku-" + i);
    }
    for (int i = 0; i < lines; i++) {
      command.add("1");
    }
    command.add("0");
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (java.io.IOException notInstalled) {
      return null;
    }
    Double rate = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        // e.g. "EVALSHA ...: 81234.56 requests per second, p50=0.311 msec"
        int at = line.lastIndexOf(": ");
        int rps = line.indexOf(" requests per second");
        if (at >= 0 && rps > at) {
          rate = Double.parseDouble(line.substring(at + 2, rps).trim());
        }
      }
    }
    process.waitFor();
    return rate;
  }
}
