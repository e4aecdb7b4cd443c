package com.oms.dev.bench;

import com.oms.config.ConfigLoader;
import com.oms.config.OmsConfig;
import com.oms.dev.EmbeddedPostgresServer;
import com.oms.dev.EmbeddedRedisServer;
import com.oms.dev.GatewaySimulatorVerticle;
import com.oms.dev.MessagingSimulatorVerticle;
import com.oms.http.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service as its own process, and the world around it in this one: embedded Postgres and Redis, the
 * payment gateway and messaging simulators, an SMTP server. For the fault suite and the benchmarks that
 * measure the service from outside (its memory, its behaviour when killed).
 */
final class ServiceWorld implements AutoCloseable {

  /**
   * Per-statement counts and times (pg_stat_statements), so a run can say what each order cost the
   * database; and autovacuum looking every 10 s instead of every minute, as a Postgres serving this
   * write rate would be configured (runs are minutes long).
   */
  private static final Map<String, String> STATEMENT_STATS = Map.of("shared_preload_libraries", "pg_stat_statements",
    "autovacuum_naptime", "10s");

  /**
   * The JVM compiles no method over 8,000 bytes of bytecode unless told to; the JSON schema validator
   * that checks every request body against the contract is one (9,290 bytes), and interpreted it took
   * 28% of the service's CPU at 250 orders/s. scripts/run.sh starts the service with the same flag.
   */
  static final String COMPILE_HUGE_METHODS = "-XX:-DontCompileHugeMethods";

  final Vertx vertx;
  final Path work;
  final Tokens tokens;
  final int servicePort;
  final WebClient http;
  private EmbeddedPostgresServer postgres;
  private EmbeddedRedisServer redis;
  private final int pgPort;
  private final int redisPort;
  final GatewaySimulatorVerticle gateway;
  private final SmtpSink smtp;
  private final MessagingSimulatorVerticle messaging;
  private final Map<String, String> extraEnv;
  private final boolean sockets;
  private Process service;

  private ServiceWorld(Map<String, String> extraEnv) throws Exception {
    this.extraEnv = extraEnv;
    work = Files.createTempDirectory("oms-world");
    postgres = EmbeddedPostgresServer.start(work.resolve("pg"), 0, postgresSettings());
    pgPort = postgres.port();
    postgres.ensureDatabase("oms");
    // one event loop for the load generator and its simulators: they share the machine with the service,
    // and every hand-over between loops wakes a thread (OMS_WORLD_EVENT_LOOPS to change it)
    vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true)
      .setEventLoopPoolSize(Integer.parseInt(extraEnv.getOrDefault("OMS_WORLD_EVENT_LOOPS", "1"))));
    // the service reaches Postgres and Redis on this machine through their Unix sockets when it can
    // (the native transport), as a service deployed beside them would; the harness itself uses TCP
    sockets = vertx.isNativeTransportEnabled() && !"false".equals(extraEnv.get("OMS_WORLD_SOCKETS"));
    redis = EmbeddedRedisServer.start(null, 0, redisSocket());
    redisPort = redis.port();
    smtp = SmtpSink.start(vertx).await();
    OmsConfig config = OmsConfig.fromJson(ConfigLoader.load(vertx, Map.of()).await());
    tokens = new Tokens(vertx, config.auth());
    servicePort = freePort();
    gateway = new GatewaySimulatorVerticle(0, config.payment().gatewayApiKey(), Map.of(
      "upi", config.payment().provider("UPI").getString("webhookSecret"),
      "netbanking", config.payment().provider("NET_BANKING").getString("webhookSecret")), 200, Clock.systemUTC());
    vertx.deployVerticle(gateway).await();
    gateway.webhookTarget("http://127.0.0.1:" + servicePort);
    messaging = new MessagingSimulatorVerticle(0, config.notification().providerApiKey(), 0);
    vertx.deployVerticle(messaging).await();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(servicePort)
      .setConnectTimeout(2000), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
  }

  /** Builds the world and starts the service in it, with extra environment for the service process. */
  static ServiceWorld start(Map<String, String> extraEnv) throws Exception {
    ServiceWorld world = new ServiceWorld(extraEnv);
    try {
      world.startService();
    } catch (Exception e) {
      world.close();
      throw e;
    }
    return world;
  }

  void killService() throws InterruptedException {
    service.destroyForcibly().waitFor();
  }

  /** Stops Redis and starts it again on the same port; it comes back empty. */
  void restartRedis(Duration down) throws Exception {
    redis.close();
    Thread.sleep(down.toMillis());
    redis = EmbeddedRedisServer.start(null, redisPort, redisSocket());
  }

  /** Stops Postgres and starts it again on the same port and data directory. */
  void restartPostgres(Duration down) throws Exception {
    postgres.close();
    Thread.sleep(down.toMillis());
    postgres = EmbeddedPostgresServer.start(work.resolve("pg"), pgPort, postgresSettings());
  }

  String pgUrl() {
    return postgres.url("oms");
  }

  /** Another database on the same Postgres server (created if missing), e.g. for a ceiling benchmark. */
  String database(String name) throws Exception {
    return postgres.ensureDatabase(name);
  }

  /**
   * The server settings of the world's Postgres, and any given in {@code OMS_WORLD_PG_SETTINGS}
   * ({@code name=value,name=value}), for experiments such as a run without autovacuum.
   */
  private Map<String, String> postgresSettings() {
    Map<String, String> settings = new java.util.HashMap<>(STATEMENT_STATS);
    for (String setting : extraEnv.getOrDefault("OMS_WORLD_PG_SETTINGS", "").split(",")) {
      int equals = setting.indexOf('=');
      if (equals > 0) {
        settings.put(setting.substring(0, equals).trim(), setting.substring(equals + 1).trim());
      }
    }
    return settings;
  }

  /** The directory of Postgres' Unix socket when the service uses it, else null. */
  String postgresSocketDirectory() {
    return sockets && Files.exists(Path.of("/tmp/.s.PGSQL." + pgPort)) ? "/tmp" : null;
  }

  private Path redisSocket() {
    return sockets ? work.resolve("redis.sock") : null;
  }

  String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  Path serviceLog() {
    return work.resolve("service.log");
  }

  /** Starts (or starts again) the service process and waits until it is ready. */
  void startService() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String heap = extraEnv.getOrDefault("OMS_WORLD_SERVICE_HEAP", "1g");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, COMPILE_HUGE_METHODS));
    String javaOptions = extraEnv.getOrDefault("OMS_WORLD_JAVA_OPTS", "");
    if (!javaOptions.isBlank()) {
      command.addAll(List.of(javaOptions.trim().split("\\s+"))); // e.g. -XX:StartFlightRecording=filename=service.jfr
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.oms.Main"));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("OMS_HTTP_PORT", String.valueOf(servicePort));
    env.put("OMS_PG_URL", pgUrl());
    env.put("OMS_REDIS_URL", redisUrl());
    if (postgresSocketDirectory() != null) {
      env.put("OMS_POSTGRES_SOCKET_DIRECTORY", postgresSocketDirectory());
    }
    if (sockets) {
      env.put("OMS_REDIS_URL", "unix://" + redisSocket().toAbsolutePath());
    }
    env.put("OMS_PAYMENT_GATEWAY_URL", "http://127.0.0.1:" + gateway.actualPort());
    env.put("OMS_NOTIFICATION_SMTP_HOST", "127.0.0.1");
    env.put("OMS_NOTIFICATION_SMTP_PORT", String.valueOf(smtp.port()));
    env.put("OMS_NOTIFICATION_SMS_URL", "http://127.0.0.1:" + messaging.actualPort() + "/v1/sms");
    env.put("OMS_NOTIFICATION_PUSH_URL", "http://127.0.0.1:" + messaging.actualPort() + "/v1/push");
    env.put("OMS_DEV_SEED", "false");
    env.putAll(extraEnv);
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(serviceLog().toFile()));
    service = builder.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Integer status = http.get("/health/ready").timeout(2000).send().map(r -> r.statusCode()).otherwise(0).await();
      if (status == 200) {
        System.out.println("service ready on port " + servicePort + " (pid " + service.pid() + ")");
        return;
      }
      if (!service.isAlive()) {
        throw new IllegalStateException("the service died at start-up; see " + serviceLog());
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the service did not become ready; see " + serviceLog());
  }

  long servicePid() {
    return service.pid();
  }

  /** The postmaster's process id (its data directory's postmaster.pid), or -1. */
  long postgresPid() {
    try {
      return Long.parseLong(Files.readAllLines(work.resolve("pg").resolve("postmaster.pid")).get(0).trim());
    } catch (Exception e) {
      return -1;
    }
  }

  /** The embedded Redis server's process id (a child of this process), or -1. */
  long redisPid() {
    return ProcessHandle.current().children()
      .filter(child -> child.info().command().map(command -> command.contains("redis-server")).orElse(false))
      .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  /** The service process's resident memory in kilobytes (Linux). */
  long serviceRssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(service.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  String admin() {
    return tokens.mint("bench-admin", "admin");
  }

  JsonObject auth(String token) {
    return new JsonObject().put("Authorization", "Bearer " + token);
  }

  @Override
  public void close() throws Exception {
    if (service != null) {
      service.destroy();
      service.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
      service.destroyForcibly();
    }
    vertx.close().await();
    for (AutoCloseable closeable : new AutoCloseable[] {redis, postgres}) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // best effort at the end of a run
      }
    }
  }

  /** Drops the database files, keeping the service log; for runs that passed. */
  void discardData() {
    try (var paths = Files.walk(work.resolve("pg"))) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (Exception ignored) {
      // a temporary directory left behind is harmless
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
