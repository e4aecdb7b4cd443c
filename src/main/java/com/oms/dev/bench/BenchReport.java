package com.oms.dev.bench;

import com.oms.dev.bench.LoadTest.Op;
import com.oms.dev.bench.LoadTest.RunResult;
import com.oms.support.Migrations;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code scripts/bench.sh}: the standard scenarios on this machine, in one run, written as a markdown table.
 * Beside the service's figures it measures the ceiling: pgbench running the SQL the service issues for one
 * order placement ({@code scripts/pgbench/placement.sql}), one order per transaction, on the same Postgres
 * server. Scenarios: placement at half the ceiling; a ramp to the highest placement rate whose p99 stays
 * under the bound; placement at the full ceiling rate (saturation: what the service achieves and how it
 * sheds); full lifecycles with simulated partners. The service runs with the heap {@code LOAD_SERVICE_HEAP}
 * (512m by default). Each run's histogram goes to {@code target/bench-*.hgrm}.
 */
public final class BenchReport {

  private BenchReport() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    Duration seconds = Duration.ofSeconds(Long.parseLong(env.getOrDefault("BENCH_SECONDS", "20")));
    double p99Bound = Double.parseDouble(env.getOrDefault("BENCH_P99_MS", "50"));
    Path report = Path.of(env.getOrDefault("BENCH_REPORT", "target/bench-report.md"));
    LoadTest.Settings settings = LoadTest.Settings.fromEnv(env);
    LoadWorld world = LoadWorld.fromEnv(env);
    List<String> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    int exit = 0;
    try (LoadTest test = LoadTest.create(settings, world, env)) {
      world.seed(test.http(), subject -> test.tokens().mint(subject, "admin"), p -> test.tokens().mint(p, "partner"));

      double ceiling = ceiling(test, seconds, notes);
      String clients = pgbenchClients().stream().map(String::valueOf).collect(Collectors.joining(", "));
      rows.add(String.format("| pgbench ceiling: one placement's SQL per transaction (best of %s clients, prepared) | %s | | | |",
        clients, ceiling > 0 ? String.format("%.0f orders/s", ceiling) : "not measured"));
      if (!Boolean.parseBoolean(env.getOrDefault("BENCH_CEILING_ONLY", "false"))) {
        exit = scenarios(test, env, seconds, p99Bound, ceiling, rows, notes) ? 0 : 1;
      }
      notes.add(String.format("Service heap: %s. Service RSS at the end: %,d KiB.", env.getOrDefault("LOAD_SERVICE_HEAP", "512m"),
        test.serviceRssKb()));
    }
    write(report, rows, notes);
    System.exit(exit);
  }

  /** The standard scenarios at rates relative to the ceiling; whether the invariants held afterwards. */
  private static boolean scenarios(LoadTest test, Map<String, String> env, Duration seconds, double p99Bound,
                                   double ceiling, List<String> rows, List<String> notes) throws Exception {
    double reference = ceiling > 0 ? ceiling : Double.parseDouble(env.getOrDefault("BENCH_CEILING", "200"));

    Map<Op, Integer> place = Map.of(Op.PLACE, 1);
    Duration settle = Duration.ofSeconds(180);
    // on 2 cores the JIT compiler takes half the service's CPU for its first minute or more, and a method
    // is compiled fully only after thousands of calls: at 40/s for 90 s the C2 compiler still took a tenth
    // of the machine during the measured runs, so the warm-up goes on at a quarter of the ceiling
    Duration warmUp = Duration.ofSeconds(Long.parseLong(env.getOrDefault("BENCH_WARMUP_SECONDS", "120")));
    double warmRate = Math.max(40, Math.round(reference / 4));
    System.out.printf("warming up (JIT) for %d s, at 40/s and then %.0f/s; not reported%n", warmUp.toSeconds(), warmRate);
    Map<Op, Integer> warmMix = Map.of(Op.PLACE, 3, Op.LIFECYCLE, 1, Op.READ, 2, Op.CANCEL, 1);
    test.runAt(40, warmUp.dividedBy(4), warmMix, Duration.ZERO);
    test.runAt(warmRate, warmUp.minus(warmUp.dividedBy(4)), warmMix, Duration.ZERO);
    test.settle(settle);
    LoadTest.Ramp ramp = new LoadTest.Ramp(Math.max(5, Math.round(reference / 40)), Math.max(5, Math.round(reference / 40)),
      reference, seconds, p99Bound); // a short step at a low rate has too few answers for its p99
    RunResult best = LoadTest.best(test.ramp(ramp, place), ramp);
    rows.add(best == null
      ? String.format("| ramp: highest placement rate with p99 under %.0f ms | none, from %.0f/s up | | | |", p99Bound, ramp.start())
      : row(String.format("ramp: highest placement rate with p99 under %.0f ms", p99Bound), best));
    if (best != null) {
      notes.add(cpu(String.format("the ramp's best step (%.0f/s)", best.targetRate()), best));
    }

    test.settle(settle);
    RunResult half = test.runAt(reference / 2, seconds, place);
    LoadTest.print(half);
    LoadTest.writeHistogram(half, Path.of("target/bench-placement-half.hgrm"));
    rows.add(row(String.format("placement at half the ceiling (%.0f/s)", reference / 2), half));
    notes.add(cpu("placement at half the ceiling", half));

    test.settle(settle);
    RunResult saturated = test.runAt(reference, seconds, place);
    LoadTest.print(saturated);
    LoadTest.writeHistogram(saturated, Path.of("target/bench-placement-saturated.hgrm"));
    rows.add(row(String.format("placement at the ceiling rate (%.0f/s): saturation", reference), saturated));
    notes.add(cpu("saturation", saturated));
    long shed = saturated.answers().entrySet().stream().filter(e -> e.getKey().endsWith(" 503")).mapToLong(Map.Entry::getValue).sum();
    long otherErrors = saturated.unexpected() - shed;
    notes.add(String.format("Saturation: %,d of %,d answered 503 (shed, with Retry-After), %,d other unexpected answers;"
        + " the answers as intended had p99 %.1f ms.", shed, saturated.completed(), otherErrors,
      LoadTest.ms(saturated.intended(), 99)));

    test.settle(settle);
    // the goal: full lifecycles at a third of the placement rate the service sustains
    double placementRate = Math.max(5, Math.round(saturated.throughput() / 3));
    Instant lifecycleStart = Instant.now();
    RunResult lifecycle = test.runAt(placementRate, seconds, Map.of(Op.LIFECYCLE, 1));
    LoadTest.print(lifecycle);
    notes.add(cpu("full lifecycles", lifecycle));
    Pool pool = test.database();
    if (pool != null) {
      Invariants.awaitSettledWhere(pool, "store_id LIKE 'load-sim-store-%'", Invariants.PARTNER_DRIVEN, Duration.ofSeconds(120));
      double[] figures = LoadTest.printLifecycles(pool, lifecycleStart);
      rows.add(String.format("| full lifecycle, placed at %.0f/s, simulated partners (%s pickup, %s delivery) | %.1f delivered/s |"
          + " placed → delivered %.2f s | %.2f s | %,d of %,d delivered |", placementRate,
        env.getOrDefault("LOAD_PICKUP_AFTER", "PT1S"), env.getOrDefault("LOAD_DELIVER_AFTER", "PT2S"), figures[2], figures[3],
        figures[4], (long) figures[1], (long) figures[0]));
    }

    boolean held = test.check(lifecycleStart);
    notes.add(held ? "Invariants after the run: every acknowledged order stored, none stuck, no SKU oversold, Redis equal to Postgres."
      : "INVARIANTS VIOLATED after the run: see the output above.");
    if (ceiling > 0) {
      // a VM's speed can drift over the run's half hour; the same ceiling again shows by how much
      double after = ceiling(test, seconds, new ArrayList<>());
      if (after > 0) {
        notes.add(String.format("The ceiling measured again after the scenarios: %.0f placements per second (%+.0f%%),"
          + " how far the machine's speed moved during the run.", after, 100 * (after - ceiling) / ceiling));
      }
    }
    return held;
  }

  /** Where the machine's CPU went during a scenario: the load generator's share beside the service's. */
  private static String cpu(String scenario, RunResult result) {
    return String.format("CPU share of the machine during %s: %s.", scenario, LoadTest.cpuShares(result));
  }

  /** Latency of the answers as intended (201, or 409 for stock); the shed 503s are counted under errors. */
  private static String row(String scenario, RunResult result) {
    return String.format("| %s | %.1f/s as intended | p50 %.1f ms | p99 %.1f ms | %s |", scenario, result.throughput(),
      LoadTest.ms(result.intended(), 50), LoadTest.ms(result.intended(), 99), errors(result));
  }

  private static String errors(RunResult result) {
    StringBuilder text = new StringBuilder();
    result.answers().forEach((answer, count) -> {
      if (!answer.endsWith(" 201") && !answer.endsWith(" 200") && !answer.endsWith(" 409")) {
        text.append(text.length() == 0 ? "" : ", ").append(String.format("%,d %s", count, answer));
      }
    });
    return text.length() == 0 ? "none" : text.toString();
  }

  /** pgbench on a database of its own on the same server, migrated by the service's migrations; orders per second. */
  private static double ceiling(LoadTest test, Duration seconds, List<String> notes) throws Exception {
    String pgbench = findPgbench();
    if (pgbench == null || test.service() == null) {
      notes.add("The pgbench ceiling was not measured: " + (pgbench == null ? "pgbench is not installed (Debian: postgresql-contrib)"
        : "the service runs elsewhere") + "; the scenarios use BENCH_CEILING instead.");
      return -1;
    }
    String url = test.service().database("ceiling");
    Migrations.apply(test.vertx(), url).await();
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(test.vertx()).build();
    try {
      pool.query(Files.readString(Path.of("scripts/pgbench/setup.sql"))).execute().await();
    } finally {
      pool.close().await();
    }
    // through the same Unix socket as the service when it uses one
    String socket = test.service().postgresSocketDirectory();
    String pgbenchUrl = socket == null ? url : url + "?host=" + socket;
    double best = -1;
    int bestClients = 0;
    List<String> each = new ArrayList<>();
    for (int clients : pgbenchClients()) {
      double value = pgbench(pgbench, pgbenchUrl, clients, seconds, notes);
      each.add(String.format("%d clients %.0f/s", clients, value));
      if (value > best) {
        best = value;
        bestClients = clients;
      }
    }
    if (best > 0) {
      notes.add(String.format("Ceiling: pgbench with prepared statements planned once as the service's are, %d s per run,"
        + " on the embedded Postgres the service uses, one placement per transaction (scripts/pgbench/placement.sql):"
        + " the best of %s: %.0f placements per second (%d clients).", seconds.toSeconds(), String.join(", ", each),
        best, bestClients));
    }
    return best;
  }

  /** {@code BENCH_PGBENCH_CLIENTS}, a comma-separated list: the ceiling is the best of them. */
  private static List<Integer> pgbenchClients() {
    int cores = Runtime.getRuntime().availableProcessors();
    String configured = System.getenv().getOrDefault("BENCH_PGBENCH_CLIENTS", cores + "," + 2 * cores + "," + 4 * cores);
    return Arrays.stream(configured.split(",")).map(String::trim).map(Integer::parseInt).toList();
  }

  private static double pgbench(String pgbench, String url, int clients, Duration seconds, List<String> notes)
    throws Exception {
    ProcessBuilder command = new ProcessBuilder(pgbench, "-n", "-M", "prepared", "-c", String.valueOf(clients), "-j",
      String.valueOf(Math.min(clients, Runtime.getRuntime().availableProcessors())), "-T",
      String.valueOf(seconds.toSeconds()), "-f", "scripts/pgbench/placement.sql", url).redirectErrorStream(true);
    // the session settings the service's own connections use, so both plan their statements the same way
    command.environment().put("PGOPTIONS", "-c plan_cache_mode=force_generic_plan");
    Process process = command.start();
    String output = new String(process.getInputStream().readAllBytes());
    process.waitFor();
    System.out.println(output);
    Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(output);
    if (!tps.find()) {
      notes.add("pgbench failed: " + output.lines().filter(l -> l.contains("error")).findFirst().orElse(output));
      return -1;
    }
    return Double.parseDouble(tps.group(1));
  }

  private static String findPgbench() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "pgbench"))) {
        return Path.of(dir, "pgbench").toString();
      }
    }
    return null;
  }

  private static void write(Path report, List<String> rows, List<String> notes) throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    StringBuilder text = new StringBuilder()
      .append("# OMS benchmark, ").append(ZonedDateTime.now().withNano(0)).append("\n\n")
      .append(String.format("Machine: %d cores, %,d MiB memory, %s %s. The load generator (with the payment gateway,"
          + " messaging and SMTP simulators), the service, Postgres and Redis all run on it.%n%n",
        Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() >> 20, System.getProperty("os.name"),
        System.getProperty("os.version")))
      .append("| scenario | throughput | latency p50 | latency p99 | other answers |\n|---|---|---|---|---|\n");
    rows.forEach(row -> text.append(row).append('\n'));
    text.append('\n');
    notes.forEach(note -> text.append("- ").append(note).append('\n'));
    text.append("\nLatency is measured open-loop from each request's intended send time, over the answers as intended"
      + " (201; 409 when stock runs out); 503s are load shed at once by the admission limit.\n");
    if (report.getParent() != null) {
      Files.createDirectories(report.getParent());
    }
    Files.writeString(report, text);
    System.out.println("\n" + text);
    System.out.println("report written to " + report);
  }
}
