package com.oms.testing;

import com.oms.OmsApplication;
import com.oms.config.ConfigLoader;
import com.oms.config.OmsConfig;
import com.oms.http.Tokens;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The whole service, started in-process for one test class against the shared {@link TestStack}, with a
 * fresh database, its own Redis key prefix, a clock the test moves, and short scan intervals.
 */
public final class TestApp {

  public final Vertx vertx;
  public final OmsApplication app;
  public final OmsConfig config;
  public final TestClock clock;
  public final Api api;
  public final Tokens tokens;
  public final PrometheusMeterRegistry registry;

  private TestApp(Vertx vertx, OmsApplication app, OmsConfig config, TestClock clock, PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.vertx = vertx;
    this.app = app;
    this.config = config;
    this.clock = clock;
    this.tokens = new Tokens(vertx, config.auth());
    this.api = new Api(WebClient.create(vertx, new WebClientOptions()
      .setDefaultHost("127.0.0.1").setDefaultPort(app.httpPort()),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32)), tokens);
  }

  public static Future<TestApp> start(Vertx vertx) {
    return start(vertx, json -> { });
  }

  /** {@code tweak} edits the configuration (a JSON tree shaped like conf/application.yaml) before start. */
  public static Future<TestApp> start(Vertx vertx, Consumer<JsonObject> tweak) {
    Future<String> database = vertx.executeBlocking(TestStack.get()::freshDatabase);
    return database.compose(url -> startOn(vertx, url, "t" + UUID.randomUUID().toString().substring(0, 8),
      TestClock.startingNow(), tweak));
  }

  /**
   * The service on the given database and Redis key prefix: several of these (each on its own clustered
   * Vert.x, sharing the clock) make a cluster.
   */
  public static Future<TestApp> startOn(Vertx vertx, String database, String keyPrefix, TestClock clock,
                                        Consumer<JsonObject> tweak) {
    TestStack stack = TestStack.get();
    return ConfigLoader.load(vertx, Map.of()).compose(raw -> {
      raw.getJsonObject("http").put("port", 0).put("instances", 2);
      // tests fire many requests from one client on purpose; RateLimitTest turns the limits on
      raw.getJsonObject("http").getJsonObject("rateLimit").put("enabled", false);
      raw.getJsonObject("postgres").put("url", database).put("poolSize", 8);
      raw.getJsonObject("redis").put("url", stack.redisUrl()).put("keyPrefix", keyPrefix);
      raw.getJsonObject("order").put("instances", 2).put("maxUnpaidPerCustomer", 1000)
        .put("sweepInterval", "PT0.2S").put("stallAfter", "PT10S")
        .put("expiryScanInterval", "PT0.2S");
      raw.getJsonObject("notification").put("smtpHost", "127.0.0.1").put("smtpPort", stack.smtp().port())
        .put("relayInterval", "PT0.1S").put("providerTimeout", "PT1S");
      raw.getJsonObject("dev").put("seed", false);
      tweak.accept(raw);
      OmsConfig config = OmsConfig.fromJson(raw);
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      return OmsApplication.start(vertx, config, clock, registry)
        .map(app -> new TestApp(vertx, app, config, clock, registry));
    });
  }

  public Future<Void> stop() {
    return app.stop();
  }
}
