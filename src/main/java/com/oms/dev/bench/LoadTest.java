package com.oms.dev.bench;

import com.oms.config.ConfigLoader;
import com.oms.config.OmsConfig;
import com.oms.http.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The open-loop load-test harness ({@code scripts/loadtest.sh}). Requests are scheduled by the clock at
 * the target arrival rate, whatever the service answers, and each latency is measured from the request's
 * intended send time, so a stalled service shows as latency instead of hiding as a slower send rate
 * (coordinated omission). Operations are mixed by weight:
 * <ul>
 *   <li>{@code place}: place an order at a store whose partners are not simulated (placement, payment,
 *   reservation and assignment; the order then waits for its partner);</li>
 *   <li>{@code lifecycle}: place an order at a store of simulated partners, who pick it up and deliver it;</li>
 *   <li>{@code read}: read a recently placed order;</li>
 *   <li>{@code cancel}: cancel a recently placed order.</li>
 * </ul>
 * By default it builds its own world (embedded Postgres and Redis, gateway and messaging simulators, the
 * service as its own process in simulation mode); {@code LOAD_URL} aims it at a running service instead
 * (with {@code LOAD_PG_URL} and {@code LOAD_REDIS_URL} for the invariant check). Afterwards it waits for the
 * service to settle and checks the invariants. See the README's "Load testing" section for the settings.
 */
public final class LoadTest implements AutoCloseable {

  enum Op { PLACE, LIFECYCLE, READ, CANCEL }

  /** Answers that are the service working as intended: stock ran out, or an order moved on before a cancel. */
  private static final Map<Op, List<Integer>> EXPECTED = Map.of(
    Op.PLACE, List.of(201, 409), Op.LIFECYCLE, List.of(201, 409), Op.READ, List.of(200), Op.CANCEL, List.of(200, 409));

  record Settings(double rate, Duration duration, Map<Op, Integer> mix, int linesPerOrder, List<String> payments,
                  Duration timeout, int connections, Path histogramFile, Ramp ramp, Duration settleDeadline,
                  int statementsShown, Duration warmUp, Duration window) {

    static Settings fromEnv(Map<String, String> env) {
      Ramp ramp = env.containsKey("LOAD_RAMP") ? Ramp.parse(env.get("LOAD_RAMP"),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("LOAD_STEP_SECONDS", "10"))),
        Double.parseDouble(env.getOrDefault("LOAD_P99_MS", "50"))) : null;
      return new Settings(
        Double.parseDouble(env.getOrDefault("LOAD_RATE", "100")),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("LOAD_SECONDS", "30"))),
        parseMix(env.getOrDefault("LOAD_MIX", "place=1")),
        Integer.parseInt(env.getOrDefault("LOAD_LINES", "2")),
        List.of(env.getOrDefault("LOAD_PAYMENTS", "CREDIT_CARD").split(",")),
        Duration.ofMillis(Long.parseLong(env.getOrDefault("LOAD_TIMEOUT_MS", "10000"))),
        Integer.parseInt(env.getOrDefault("LOAD_CONNECTIONS", "256")),
        Path.of(env.getOrDefault("LOAD_HISTOGRAM_FILE", "target/loadtest.hgrm")),
        ramp,
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("LOAD_SETTLE_SECONDS", "120"))),
        Integer.parseInt(env.getOrDefault("LOAD_STATEMENTS", "0")),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("LOAD_WARMUP_SECONDS", "0"))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("LOAD_WINDOW_SECONDS", "0"))));
    }

    static Map<Op, Integer> parseMix(String text) {
      Map<Op, Integer> mix = new EnumMap<>(Op.class);
      for (String part : text.split(",")) {
        String[] kv = part.trim().split("=");
        mix.put(Op.valueOf(kv[0].trim().toUpperCase()), Integer.parseInt(kv[1].trim()));
      }
      return mix;
    }
  }

  /** Step the rate from {@code start} by {@code step} up to {@code max}; stop at the first step whose p99 exceeds the bound. */
  record Ramp(double start, double step, double max, Duration stepDuration, double p99BoundMs) {
    static Ramp parse(String text, Duration stepDuration, double p99BoundMs) {
      String[] parts = text.split(":");
      return new Ramp(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2]),
        stepDuration, p99BoundMs);
    }
  }

  /** What one run at one rate measured. */
  record RunResult(double targetRate, Duration duration, long scheduled, long completed, long expected,
                   Map<String, Long> answers, Histogram latency, Histogram intended, Map<Op, Histogram> byOp,
                   Histogram schedulerLag, double generatorCpuShare, Map<String, Double> worldCpuShares,
                   double machineCpuShare) {

    double throughput() {
      return expected / (duration.toNanos() / 1e9);
    }

    long unexpected() {
      return completed - expected;
    }

    double p99Ms() {
      return latency.getValueAtPercentile(99) / 1e6;
    }
  }

  private final Settings settings;
  private final LoadWorld world;
  private final Vertx vertx;
  private final WebClient http;
  private final Tokens tokens;
  private final ServiceWorld service;
  private final String pgUrl;
  private final String redisUrl;
  private final String redisPrefix;
  private final Map<String, String> tokenCache = new ConcurrentHashMap<>();
  private Pool database;
  private final AtomicReferenceArray<String[]> recent = new AtomicReferenceArray<>(4096);
  private final AtomicLong recentCount = new AtomicLong();
  /** Orders a cancel may pick: 10,000 at most, later ones dropped while it is full (its size is kept, not counted by a walk). */
  private final ArrayBlockingQueue<String[]> cancellable = new ArrayBlockingQueue<>(10_000);
  private final List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
  /** Orders acknowledged before the measured run (the warm-up's), left out of the per-order figures. */
  private int acknowledgedBeforeRun;
  /** Set when an invariant failed: the world's database stays on disk for a look. */
  private boolean keepData;

  private LoadTest(Settings settings, LoadWorld world, Vertx vertx, WebClient http, Tokens tokens, ServiceWorld service,
                   String pgUrl, String redisUrl, String redisPrefix) {
    this.settings = settings;
    this.world = world;
    this.vertx = vertx;
    this.http = http;
    this.tokens = tokens;
    this.service = service;
    this.pgUrl = pgUrl;
    this.redisUrl = redisUrl;
    this.redisPrefix = redisPrefix;
    wheel(settings.mix()); // fail fast on an empty mix
  }

  private static Op[] wheel(Map<Op, Integer> mix) {
    List<Op> ops = new ArrayList<>();
    mix.forEach((op, weight) -> {
      for (int i = 0; i < weight; i++) {
        ops.add(op);
      }
    });
    if (ops.isEmpty()) {
      throw new IllegalArgumentException("LOAD_MIX has no operation with a positive weight");
    }
    return ops.toArray(new Op[0]);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    Settings settings = Settings.fromEnv(env);
    LoadWorld world = LoadWorld.fromEnv(env);
    if (settings.payments().contains("WALLET")) {
      world = world.withWallets();
    }
    int exit;
    try (LoadTest test = create(settings, world, env)) {
      exit = test.run() ? 0 : 1;
    }
    System.exit(exit);
  }

  static LoadTest create(Settings settings, LoadWorld world, Map<String, String> env) throws Exception {
    String url = env.get("LOAD_URL");
    if (url == null) {
      Map<String, String> serviceEnv = new LinkedHashMap<>();
      serviceEnv.put("OMS_WORLD_SERVICE_HEAP", env.getOrDefault("LOAD_SERVICE_HEAP", "512m"));
      serviceEnv.put("OMS_SIMULATION_PARTNERS", "true");
      serviceEnv.put("OMS_SIMULATION_PICKUP_AFTER", env.getOrDefault("LOAD_PICKUP_AFTER", "PT1S"));
      serviceEnv.put("OMS_SIMULATION_DELIVER_AFTER", env.getOrDefault("LOAD_DELIVER_AFTER", "PT2S"));
      serviceEnv.put("OMS_DELIVERY_PARTNER_CAPACITY", "1000000");
      env.forEach((key, value) -> {
        if (key.startsWith("OMS_")) {
          serviceEnv.put(key, value); // any service setting can be tuned for a run
        }
      });
      ServiceWorld service = ServiceWorld.start(serviceEnv);
      WebClient http = WebClient.create(service.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(service.servicePort).setConnectTimeout(2000), new PoolOptions().setHttp1MaxSize(settings.connections())
        .setMaxWaitQueueSize(-1));
      return new LoadTest(settings, world, service.vertx, http, service.tokens, service, service.pgUrl(), service.redisUrl(), "oms");
    }
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
    OmsConfig config = OmsConfig.fromJson(ConfigLoader.load(vertx).await());
    URI target = URI.create(url);
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost(target.getHost())
      .setDefaultPort(target.getPort() > 0 ? target.getPort() : 80).setConnectTimeout(2000),
      new PoolOptions().setHttp1MaxSize(settings.connections()).setMaxWaitQueueSize(-1));
    return new LoadTest(settings, world, vertx, http, new Tokens(vertx, config.auth()), null, env.get("LOAD_PG_URL"),
      env.get("LOAD_REDIS_URL"), config.redis().keyPrefix());
  }

  /** Seeds, runs (one rate, or a ramp), then checks; answers whether every invariant held. */
  boolean run() throws Exception {
    System.out.printf("machine: %d cores, %,d MiB memory; load generator and service on it together%n",
      Runtime.getRuntime().availableProcessors(), totalMemoryMiB());
    world.seed(http, subject -> tokens.mint(subject, "admin"), this::partnerToken);
    System.out.printf("mix %s, %d lines per order, payments %s, %d stores of each kind, %d SKUs, %d customers%n",
      settings.mix(), settings.linesPerOrder(), settings.payments(), world.stores(), world.skus(), world.customers());
    if (!settings.warmUp().isZero()) {
      warmUp(settings.rate(), settings.warmUp());
    }
    StatementCosts.reset(database());
    acknowledgedBeforeRun = acknowledged.size();
    Instant started = Instant.now();
    if (settings.ramp() == null) {
      RunResult result = runAt(settings.rate(), settings.duration());
      print(result);
      writeHistogram(result, settings.histogramFile());
    } else {
      ramp(settings.ramp(), settings.mix());
    }
    return check(started);
  }

  /**
   * Runs the ramp, each step after the service has caught up with the last, and prints the highest rate
   * whose p99 stayed within the bound with no unexpected answer. Answers every step run.
   */
  List<RunResult> ramp(Ramp ramp, Map<Op, Integer> mix) throws Exception {
    List<RunResult> steps = new ArrayList<>();
    for (double rate = ramp.start(); rate <= ramp.max(); rate += ramp.step()) {
      settle(settings.settleDeadline());
      RunResult result = runAt(rate, ramp.stepDuration(), mix);
      steps.add(result);
      print(result);
      writeHistogram(result, stepFile(settings.histogramFile(), rate));
      if (!within(result, ramp)) {
        System.out.printf("rate %.0f/s breaks the bound (p99 %.1f ms > %.0f ms, or unexpected answers): ramp stops%n",
          rate, result.p99Ms(), ramp.p99BoundMs());
        break;
      }
    }
    RunResult best = best(steps, ramp);
    if (best == null) {
      System.out.printf("RAMP: no rate kept p99 under %.0f ms%n", ramp.p99BoundMs());
    } else {
      System.out.printf("RAMP: highest rate with p99 under %.0f ms: %.0f/s (achieved %.1f/s, p99 %.2f ms)%n",
        ramp.p99BoundMs(), best.targetRate(), best.throughput(), best.p99Ms());
    }
    return steps;
  }

  private static boolean within(RunResult step, Ramp ramp) {
    return step.p99Ms() <= ramp.p99BoundMs() && step.unexpected() == 0;
  }

  /** The highest step of a ramp that stayed within its bound, or null. */
  static RunResult best(List<RunResult> steps, Ramp ramp) {
    return steps.stream().filter(step -> within(step, ramp)).reduce((first, second) -> second).orElse(null);
  }

  /**
   * Runs the mix unreported so the service's JIT has compiled its hot paths (on 2 cores the compiler
   * takes half the service's CPU for the first minute or more), then waits for it to catch up.
   */
  void warmUp(double rate, Duration duration) throws Exception {
    System.out.printf("warming up (JIT) for %d s at %.0f/s; not reported%n", duration.toSeconds(), rate);
    runAt(rate, duration, settings.mix(), Duration.ZERO);
    settle(settings.settleDeadline());
  }

  /** One open-loop run at {@code rate} requests per second for {@code duration}. */
  RunResult runAt(double rate, Duration duration) throws Exception {
    return runAt(rate, duration, settings.mix());
  }

  /** One open-loop run with its own mix of operations. */
  RunResult runAt(double rate, Duration duration, Map<Op, Integer> mix) throws Exception {
    return runAt(rate, duration, mix, settings.window());
  }

  /** One run; with a {@code window}, it also prints throughput and latency of each window as it goes. */
  RunResult runAt(double rate, Duration duration, Map<Op, Integer> mix, Duration window) throws Exception {
    Op[] wheel = wheel(mix);
    ConcurrentHistogram windowLatency = new ConcurrentHistogram(3_600_000_000_000L, 3);
    ConcurrentHistogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
    ConcurrentHistogram intendedLatency = new ConcurrentHistogram(3_600_000_000_000L, 3);
    Map<Op, Histogram> byOp = new EnumMap<>(Op.class);
    for (Op op : Op.values()) {
      byOp.put(op, new ConcurrentHistogram(3_600_000_000_000L, 3));
    }
    Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    AtomicLong completed = new AtomicLong();
    AtomicLong expected = new AtomicLong();
    AtomicInteger outstanding = new AtomicInteger();
    long interval = (long) (1e9 / rate);
    long cpuBefore = processCpuNanos();
    long[] machineBefore = machineTicks();
    Map<String, Long> worldCpuBefore = worldCpuNanos();
    long start = System.nanoTime() + 1_000_000;
    long end = start + duration.toNanos();
    // The schedule runs on the generator's event loop, woken by a timer at each intended send; a thread of its
    // own handed every request over to the loop, a wake-up (system calls) per request on a machine whose
    // CPU the service under test shares.
    Schedule schedule = new Schedule(start, end, interval, window.toNanos(), windowLatency, (op, intended) -> {
      outstanding.incrementAndGet();
      send(op, ThreadLocalRandom.current()).onComplete(ar -> {
        long took = System.nanoTime() - intended;
        String answer = ar.succeeded() ? String.valueOf(ar.result().statusCode())
          : ar.cause() instanceof java.util.concurrent.TimeoutException
            || String.valueOf(ar.cause().getMessage()).contains("timeout") ? "timeout" : "connection error";
        answers.computeIfAbsent(op.name().toLowerCase() + " " + answer, k -> new AtomicLong()).incrementAndGet();
        latency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
        windowLatency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
        byOp.get(op).recordValue(Math.min(took, latency.getHighestTrackableValue()));
        completed.incrementAndGet();
        if (ar.succeeded() && EXPECTED.get(op).contains(ar.result().statusCode())) {
          expected.incrementAndGet();
          intendedLatency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
        }
        outstanding.decrementAndGet();
      });
    }, wheel);
    vertx.getOrCreateContext().runOnContext(v -> schedule.next());
    schedule.sent.get();
    long scheduled = schedule.scheduled;
    Histogram schedulerLag = schedule.lag.copy();
    long sendingEnded = System.nanoTime();
    long drainDeadline = sendingEnded + settings.timeout().toNanos() + 2_000_000_000L;
    while (outstanding.get() > 0 && System.nanoTime() < drainDeadline) {
      LockSupport.parkNanos(10_000_000);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    int cores = Runtime.getRuntime().availableProcessors();
    double generatorShare = (processCpuNanos() - cpuBefore) / 1e9 / (wall * cores);
    Map<String, Double> worldShares = new LinkedHashMap<>();
    worldCpuNanos().forEach((process, after) -> {
      Long before = worldCpuBefore.get(process);
      if (before != null) {
        worldShares.put(process, (after - before) / 1e9 / (wall * cores));
      }
    });
    long[] machineAfter = machineTicks();
    double machineShare = machineAfter[1] == machineBefore[1] ? -1
      : (machineAfter[0] - machineBefore[0]) / (double) (machineAfter[1] - machineBefore[1]);
    Map<String, Long> counted = new java.util.TreeMap<>();
    answers.forEach((k, v) -> counted.put(k, v.get()));
    if (outstanding.get() > 0) {
      counted.put("still unanswered", (long) outstanding.get());
    }
    // copies: answers still arriving after the drain deadline must not change what is reported
    Map<Op, Histogram> byOpCopies = new EnumMap<>(Op.class);
    byOp.forEach((op, histogram) -> byOpCopies.put(op, histogram.copy()));
    return new RunResult(rate, duration, scheduled, completed.get(), expected.get(), counted, latency.copy(),
      intendedLatency.copy(), byOpCopies, schedulerLag, generatorShare, worldShares, machineShare);
  }

  /**
   * A run's sends at their intended times, {@code start + n * interval}, on one event loop: each turn sends
   * every request then due and sets a timer for the next. Also prints the window that ended, if any.
   */
  private final class Schedule {
    private final long start;
    private final long end;
    private final long interval;
    private final long windowNanos;
    private final Histogram windowLatency;
    private final java.util.function.ObjLongConsumer<Op> sender;
    private final Op[] wheel;
    private long windowEnds;
    /** Written on the loop, read by the caller after {@link #sent} completes (which orders the two). */
    long scheduled;
    /** How late each send left: the generator's own delay, included in its request's latency. */
    final Histogram lag = new Histogram(3_600_000_000_000L, 3);
    final java.util.concurrent.CompletableFuture<Void> sent = new java.util.concurrent.CompletableFuture<>();

    Schedule(long start, long end, long interval, long windowNanos, Histogram windowLatency,
             java.util.function.ObjLongConsumer<Op> sender, Op[] wheel) {
      this.start = start;
      this.end = end;
      this.interval = interval;
      this.windowNanos = windowNanos;
      this.windowLatency = windowLatency;
      this.sender = sender;
      this.wheel = wheel;
      this.windowEnds = windowNanos > 0 ? start + windowNanos : Long.MAX_VALUE;
    }

    void next() {
      try {
        long now = System.nanoTime();
        if (now >= windowEnds) {
          printWindow((windowEnds - start) / 1e9, windowLatency.copy(), Duration.ofNanos(windowNanos));
          windowLatency.reset();
          windowEnds += windowNanos;
        }
        long intended = start + scheduled * interval;
        while (intended <= now && intended < end) {
          lag.recordValue(Math.min(now - intended, lag.getHighestTrackableValue()));
          sender.accept(available(wheel[ThreadLocalRandom.current().nextInt(wheel.length)]), intended);
          scheduled++;
          intended = start + scheduled * interval;
        }
        if (intended >= end) {
          sent.complete(null);
        } else {
          vertx.timer(intended - now, java.util.concurrent.TimeUnit.NANOSECONDS).onComplete(fired -> next());
        }
      } catch (RuntimeException e) {
        sent.completeExceptionally(e);
      }
    }
  }

  /** A read or cancel needs an order to act on; until there is one, it is a placement. */
  private Op available(Op op) {
    if (op == Op.READ && recentCount.get() == 0 || op == Op.CANCEL && cancellable.isEmpty()) {
      return Op.PLACE;
    }
    return op;
  }

  private Future<HttpResponse<Buffer>> send(Op op, ThreadLocalRandom random) {
    return switch (op) {
      case PLACE, LIFECYCLE -> place(op == Op.LIFECYCLE, random);
      case READ -> {
        String[] order = recentOrder(random);
        yield order == null ? place(false, random) // its slot is being filled right now
          : http.get("/v1/orders/" + order[0]).putHeader("Authorization", "Bearer " + customerToken(order[1]))
          .timeout(settings.timeout().toMillis()).send();
      }
      case CANCEL -> {
        String[] order = cancellable.poll();
        yield order == null ? place(false, random) // taken by another cancel since available() looked
          : http.post("/v1/orders/" + order[0] + "/cancel").putHeader("Authorization", "Bearer " + customerToken(order[1]))
            .timeout(settings.timeout().toMillis()).sendJsonObject(new JsonObject().put("reason", "load test"));
      }
    };
  }

  private Future<HttpResponse<Buffer>> place(boolean simulated, ThreadLocalRandom random) {
    String customer = LoadWorld.customer(random.nextInt(world.customers()));
    int lines = Math.min(settings.linesPerOrder(), world.skus());
    JsonArray items = new JsonArray();
    java.util.Set<Integer> chosen = new java.util.HashSet<>();
    while (chosen.size() < lines) {
      chosen.add(random.nextInt(world.skus()));
    }
    chosen.forEach(k -> items.add(new JsonObject().put("sku", LoadWorld.sku(k)).put("quantity", 1)));
    int store = random.nextInt(world.stores());
    String method = settings.payments().get(random.nextInt(settings.payments().size()));
    JsonObject payment = new JsonObject().put("method", method);
    if ("CREDIT_CARD".equals(method)) {
      payment.put("card", new JsonObject().put("token", "tok_visa"));
    }
    JsonObject body = new JsonObject().put("storeId", LoadWorld.store(store, simulated)).put("items", items)
      .put("payment", payment)
      .put("delivery", new JsonObject().put("address", "1 Load Street")
        .put("location", new JsonObject().put("lat", LoadWorld.lat(store) + 0.01).put("lon", LoadWorld.lon(simulated))))
      .put("contact", new JsonObject().put("email", customer + "@example.com"));
    return http.post("/v1/orders").putHeader("Authorization", "Bearer " + customerToken(customer))
      .timeout(settings.timeout().toMillis()).sendJsonObject(body)
      .onSuccess(response -> {
        if (response.statusCode() == 201) {
          String orderId = response.bodyAsJsonObject().getString("orderId");
          acknowledged.add(orderId);
          String[] order = {orderId, customer};
          recent.set((int) (recentCount.getAndIncrement() % recent.length()), order);
          if (!simulated) {
            cancellable.offer(order); // dropped when full
          }
        }
      });
  }

  private String[] recentOrder(ThreadLocalRandom random) {
    long count = Math.min(recentCount.get(), recent.length());
    return count == 0 ? null : recent.get(random.nextInt((int) count));
  }

  private String customerToken(String customer) {
    return tokenCache.computeIfAbsent(customer, c -> tokens.mint(c, "customer"));
  }

  private String partnerToken(String partner) {
    return tokens.mint(partner, "partner");
  }

  // reporting -------------------------------------------------------------------------------------

  /** One window of a run: answers that arrived in it, and their latency from the intended send. */
  private static void printWindow(double endsAtSeconds, Histogram answered, Duration window) {
    System.out.printf("  %5.0f s: %7.1f answers/s, p50 %8.2f ms, p99 %8.2f ms, max %8.2f ms%n", endsAtSeconds,
      answered.getTotalCount() / (window.toNanos() / 1e9), ms(answered, 50), ms(answered, 99),
      answered.getMaxValue() / 1e6);
  }

  static void print(RunResult result) {
    Histogram h = result.latency();
    System.out.printf("%nrate %.0f/s for %d s: %,d scheduled, %,d answered, %,d as intended -> %.1f/s%n",
      result.targetRate(), result.duration().toSeconds(), result.scheduled(), result.completed(), result.expected(),
      result.throughput());
    System.out.printf("  latency from intended send: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
      ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
    if (result.unexpected() > 0 && result.intended().getTotalCount() > 0) {
      System.out.printf("  of the answers as intended only: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        ms(result.intended(), 50), ms(result.intended(), 99), result.intended().getMaxValue() / 1e6);
    }
    result.byOp().forEach((op, histogram) -> {
      if (histogram.getTotalCount() > 0) {
        System.out.printf("  %-9s %,8d: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", op.name().toLowerCase(),
          histogram.getTotalCount(), ms(histogram, 50), ms(histogram, 99), histogram.getMaxValue() / 1e6);
      }
    });
    System.out.println("  answers: " + result.answers());
    System.out.printf("  scheduler lag p99 %.2f ms, max %.2f ms; CPU share of the machine: %s%n",
      ms(result.schedulerLag(), 99), result.schedulerLag().getMaxValue() / 1e6, cpuShares(result));
  }

  /** The processes of its own world whose CPU a run measures (when it builds that world). */
  static final List<String> WORLD_PROCESSES = List.of("service", "Postgres", "Redis");

  /** Who used the machine's CPU during the run; what no known process accounts for is "everything else". */
  static String cpuShares(RunResult result) {
    StringBuilder shares = new StringBuilder(String.format("load generator (with its simulators) %.0f%%",
      result.generatorCpuShare() * 100));
    double known = result.generatorCpuShare();
    List<String> unmeasured = new ArrayList<>();
    for (String process : WORLD_PROCESSES) {
      Double share = result.worldCpuShares().get(process);
      if (share == null) {
        unmeasured.add(process);
      } else {
        shares.append(String.format(", %s %.0f%%", process, share * 100));
        known += share;
      }
    }
    if (result.machineCpuShare() >= 0) {
      unmeasured.add("kernel");
      shares.append(String.format(", everything else (%s) %.0f%%", String.join(", ", unmeasured),
        Math.max(0, result.machineCpuShare() - known) * 100));
    }
    return shares.toString();
  }

  static double ms(Histogram histogram, double percentile) {
    return histogram.getValueAtPercentile(percentile) / 1e6;
  }

  static void writeHistogram(RunResult result, Path file) throws Exception {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    try (PrintStream out = new PrintStream(Files.newOutputStream(file))) {
      result.latency().outputPercentileDistribution(out, 1e6); // milliseconds
    }
    System.out.println("  histogram (ms) written to " + file);
  }

  private static Path stepFile(Path file, double rate) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stepName = (dot > 0 ? name.substring(0, dot) : name) + "-" + (long) rate + (dot > 0 ? name.substring(dot) : "");
    return file.resolveSibling(stepName);
  }

  // after the run ---------------------------------------------------------------------------------

  /** Waits for the service to settle, reports the full lifecycles, and checks the invariants. */
  boolean check(Instant runStarted) {
    if (pgUrl == null || redisUrl == null) {
      System.out.println("\ninvariant check skipped: set LOAD_PG_URL and LOAD_REDIS_URL to check a service run elsewhere");
      return true;
    }
    Pool pool = database();
    Redis redis = Redis.createClient(vertx, redisUrl);
    try {
      System.out.println("\nwaiting for the service to settle ...");
      Invariants.awaitSettled(pool, Invariants.SERVICE_DRIVEN, settings.settleDeadline());
      long simulatedInFlight = Invariants.awaitSettledWhere(pool, "store_id LIKE 'load-sim-store-%'",
        Invariants.PARTNER_DRIVEN, settings.settleDeadline());
      if (settings.mix().getOrDefault(Op.LIFECYCLE, 0) > 0) {
        printLifecycles(pool, runStarted);
      }
      StatementCosts.print(pool, acknowledged.size() - acknowledgedBeforeRun, settings.statementsShown());
      Invariants.Report report = Invariants.check(pool, redis, redisPrefix, acknowledged, Invariants.SERVICE_DRIVEN);
      System.out.println("invariants:");
      Invariants.print(report);
      if (simulatedInFlight > 0) {
        System.out.println("  - " + simulatedInFlight + " orders of simulated partners were not delivered");
      }
      boolean held = report.passed() && simulatedInFlight == 0;
      keepData |= !held;
      return held;
    } finally {
      redis.close();
    }
  }

  /** Full lifecycles of orders placed since {@code runStarted}: placed, delivered, delivered per second, p50 and p99 seconds. */
  static double[] printLifecycles(Pool pool, Instant runStarted) {
    Row row = pool.preparedQuery("""
        WITH lifecycle AS (
          SELECT o.order_id, min(e.occurred_at) AS placed, max(e.occurred_at) FILTER (WHERE e.to_status = 'DELIVERED') AS delivered
            FROM orders o JOIN order_events e ON e.order_id = o.order_id
           WHERE o.store_id LIKE 'load-sim-store-%' AND o.created_at >= $1
           GROUP BY o.order_id)
        SELECT count(*) AS placed, count(delivered) AS delivered,
               extract(epoch FROM max(delivered) - min(placed)) AS span_seconds,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered - placed)) AS p50,
               percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delivered - placed)) AS p99
          FROM lifecycle
        """).execute(io.vertx.sqlclient.Tuple.of(java.time.OffsetDateTime.ofInstant(runStarted, java.time.ZoneOffset.UTC)))
      .await().iterator().next();
    long delivered = row.getLong("delivered");
    double span = row.getValue("span_seconds") == null ? 0 : row.getNumeric("span_seconds").doubleValue();
    System.out.printf("full lifecycles: %,d placed, %,d DELIVERED; first placement to last delivery %.1f s -> %.1f delivered/s;"
        + " placed -> delivered p50 %.2f s, p99 %.2f s (including the simulated partners' delays)%n",
      row.getLong("placed"), delivered, span, span > 0 ? delivered / span : 0,
      row.getValue("p50") == null ? 0 : row.getDouble("p50"), row.getValue("p99") == null ? 0 : row.getDouble("p99"));
    return new double[] {row.getLong("placed"), delivered, span > 0 ? delivered / span : 0,
      row.getValue("p50") == null ? 0 : row.getDouble("p50"), row.getValue("p99") == null ? 0 : row.getDouble("p99")};
  }

  /**
   * Waits until the service has caught up with the previous run (no order in a service-driven state, no
   * notice waiting in the outbox, no notification pending), so the next run measures only itself.
   */
  void settle(Duration deadline) {
    if (pgUrl == null) {
      return;
    }
    Pool pool = database();
    long started = System.nanoTime();
    Invariants.awaitSettled(pool, Invariants.SERVICE_DRIVEN, deadline);
    long until = System.nanoTime() + deadline.toNanos();
    long backlog;
    do {
      backlog = pool.query("SELECT (SELECT count(*) FROM outbox WHERE dispatched_at IS NULL)"
        + " + (SELECT count(*) FROM notifications WHERE status = 'PENDING') AS n").execute().await().iterator().next().getLong("n");
      if (backlog > 0) {
        LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      }
    } while (backlog > 0 && System.nanoTime() < until);
    System.out.printf("  (service settled in %.1f s%s)%n", (System.nanoTime() - started) / 1e9,
      backlog > 0 ? ", " + backlog + " notices still waiting" : "");
  }

  /** One pool to the service's database for every check and wait of this run; null when it runs elsewhere. */
  Pool database() {
    if (database == null && pgUrl != null) {
      database = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(pgUrl)).using(vertx).build();
    }
    return database;
  }

  // machine ---------------------------------------------------------------------------------------

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU time so far of each process of this run's world that can be read (Linux /proc), by its name. */
  private Map<String, Long> worldCpuNanos() {
    Map<String, Long> nanos = new LinkedHashMap<>();
    if (service != null) {
      putIfKnown(nanos, "service", service.servicePid(), false);
      putIfKnown(nanos, "Postgres", service.postgresPid(), true);
      putIfKnown(nanos, "Redis", service.redisPid(), false);
    }
    return nanos;
  }

  private static void putIfKnown(Map<String, Long> nanos, String process, long pid, boolean withChildren) {
    long used = pid < 0 ? -1 : ProcessCpu.nanos(pid, withChildren);
    if (used >= 0) {
      nanos.put(process, used);
    }
  }

  /** Busy and total CPU ticks of the whole machine so far (Linux /proc/stat), or zeros elsewhere. */
  private static long[] machineTicks() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) {
        total += Long.parseLong(cpu[i]);
      }
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]); // idle + iowait
      return new long[] {total - idle, total};
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }

  private static long totalMemoryMiB() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() >> 20;
  }

  WebClient http() {
    return http;
  }

  Tokens tokens() {
    return tokens;
  }

  Vertx vertx() {
    return vertx;
  }

  String pgUrl() {
    return pgUrl;
  }

  ServiceWorld service() {
    return service;
  }

  long serviceRssKb() throws Exception {
    return service == null ? -1 : service.serviceRssKb();
  }

  @Override
  public void close() throws Exception {
    if (database != null) {
      database.close().await();
    }
    if (service != null) {
      service.close();
      if (keepData) {
        System.out.println("the world's data is kept for a look: " + service.work);
      } else {
        service.discardData(); // each run's Postgres takes hundreds of MiB of the disk
      }
    } else {
      vertx.close().await();
    }
  }
}
