package com.oms.dev.bench;

import com.oms.OmsApplication;
import com.oms.config.ConfigLoader;
import com.oms.config.OmsConfig;
import com.oms.dev.EmbeddedPostgresServer;
import com.oms.dev.EmbeddedRedisServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Servers and service for a benchmark run: Postgres and Redis named by OMS_PG_URL / OMS_REDIS_URL, or
 * fresh embedded ones; the service in this process, with dev seeding off. Benchmark code only.
 */
final class BenchServers implements AutoCloseable {

  final Vertx vertx;
  final OmsApplication app;
  final OmsConfig config;
  /** Where Redis is, for redis-benchmark. */
  final java.net.URI redis;
  private final List<AutoCloseable> embedded;

  private BenchServers(Vertx vertx, OmsApplication app, OmsConfig config, java.net.URI redis, List<AutoCloseable> embedded) {
    this.vertx = vertx;
    this.app = app;
    this.config = config;
    this.redis = redis;
    this.embedded = embedded;
  }

  static BenchServers start(Map<String, String> env) throws Exception {
    List<AutoCloseable> embedded = new ArrayList<>();
    String pgUrl = env.get("OMS_PG_URL");
    String redisUrl = env.get("OMS_REDIS_URL");
    if (pgUrl == null || pgUrl.isBlank()) {
      EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(null, 0);
      embedded.add(postgres);
      pgUrl = postgres.ensureDatabase("oms_bench");
    }
    if (redisUrl == null || redisUrl.isBlank()) {
      EmbeddedRedisServer redis = EmbeddedRedisServer.start(null, 0);
      embedded.add(redis);
      redisUrl = redis.url();
    }
    Vertx vertx = Vertx.vertx();
    JsonObject raw = ConfigLoader.load(vertx, env).await();
    raw.getJsonObject("postgres").put("url", pgUrl);
    raw.getJsonObject("redis").put("url", redisUrl).put("keyPrefix", "bench" + System.nanoTime());
    raw.getJsonObject("http").put("port", 0);
    raw.getJsonObject("dev").put("seed", false);
    raw.getJsonObject("notification").put("smtpHost", "");
    OmsConfig config = OmsConfig.fromJson(raw);
    OmsApplication app = OmsApplication.start(vertx, config, Clock.systemUTC(),
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).await();
    return new BenchServers(vertx, app, config, java.net.URI.create(redisUrl), embedded);
  }

  @Override
  public void close() throws Exception {
    app.stop().await();
    vertx.close().await();
    for (int i = embedded.size() - 1; i >= 0; i--) {
      embedded.get(i).close();
    }
  }
}
