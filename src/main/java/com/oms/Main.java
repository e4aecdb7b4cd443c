package com.oms;

import com.oms.config.ConfigLoader;
import com.oms.config.OmsConfig;
import com.oms.dev.DevSeed;
import com.oms.dev.DevServers;
import com.oms.http.Tokens;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts Vert.x (with Prometheus metrics), the embedded servers dev mode needs, and the service. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
      .setJvmMetricsEnabled(true)
      // per-message event bus meters cost ~5% of the CPU under load (JFR); the saga's own step timers cover it
      .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.EVENT_BUS)
      // Vert.x 5.0.7 creates a server's meters only after its port is bound: a connection accepted in between
      // has none, and its first request then fails inside the meters and is never answered (seen in a CI run)
      .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_SERVER));
    Vertx vertx;
    // on the main thread, before any event loop exists: the configuration decides how Vert.x starts
    JsonObject raw = readConfiguration(args);
    options.setEventLoopPoolSize(OmsConfig.eventLoops(raw)).setPreferNativeTransport(true);
    OmsConfig.Cluster cluster = OmsConfig.fromJson(raw).cluster();
    if (cluster.enabled()) {
      vertx = com.oms.cluster.Clustering.start(cluster, options, new MicrometerMetricsFactory(registry)).await();
      LOG.info("joined cluster '{}' as {}:{}", cluster.name(), cluster.host(), cluster.port());
    } else {
      vertx = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
    }
    LOG.info("{} event loops, {} transport", options.getEventLoopPoolSize(),
      vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO");
    DevServers devServers = new DevServers();
    OmsApplication[] running = new OmsApplication[1];
    CountDownLatch stopped = new CountDownLatch(1);

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping");
      Future<Void> stop = running[0] == null ? Future.succeededFuture() : running[0].stop();
      stop.eventually(vertx::close).onComplete(ar -> stopped.countDown());
      awaitQuietly(stopped);
      devServers.close();
    }, "oms-shutdown"));

    devServers.startMissing(vertx, raw)
      .map(OmsConfig::fromJson)
      .compose(config -> OmsApplication.start(vertx, config, Clock.systemUTC(), registry).compose(app -> {
        running[0] = app;
        boolean devMode = devServers.any();
        Future<Void> seeded = devMode && config.dev().seed() ? DevSeed.run(vertx) : Future.succeededFuture();
        return seeded.onSuccess(v -> announce(vertx, config, app, devMode));
      }))
      .onFailure(failure -> {
        LOG.error("OMS failed to start", failure);
        System.exit(1);
      });
  }

  /**
   * The configuration, read once with a short-lived Vert.x (vertx-config needs one) because it decides
   * whether the real one is clustered; {@code --cluster} turns clustering on.
   */
  private static JsonObject readConfiguration(String[] args) {
    Vertx reader = Vertx.vertx();
    try {
      JsonObject raw = ConfigLoader.load(reader).await();
      if (java.util.Arrays.asList(args).contains("--cluster")) {
        JsonObject cluster = raw.getJsonObject("cluster", new JsonObject());
        raw.put("cluster", cluster.put("enabled", true));
      }
      return raw;
    } finally {
      reader.close().await();
    }
  }

  private static void announce(Vertx vertx, OmsConfig config, OmsApplication app, boolean devMode) {
    String base = "http://localhost:" + app.httpPort();
    StringBuilder out = new StringBuilder()
      .append("\n  OMS is up at ").append(base)
      .append("\n  API contract: ").append(base).append("/openapi.yaml")
      .append("   health: ").append(base).append("/health/ready")
      .append("   metrics: ").append(base).append("/metrics\n");
    if (devMode) {
      Tokens tokens = new Tokens(vertx, config.auth());
      out.append("\n  Dev mode: demo store '").append(DevSeed.STORE)
        .append("' (SKUs masala-dosa, filter-coffee, idli-plate) and partner '").append(DevSeed.PARTNER).append("'.")
        .append("\n  Tokens (valid ").append(config.auth().tokenTtl()).append("):")
        .append("\n    CUSTOMER=").append(tokens.mint(DevSeed.CUSTOMER, "customer"))
        .append("\n    ADMIN=").append(tokens.mint(DevSeed.ADMIN, "admin"))
        .append("\n    PARTNER=").append(tokens.mint(DevSeed.PARTNER, "partner"))
        .append("\n  Card test tokens: tok_visa (succeeds), tok_chargeDeclined, tok_insufficientFunds.\n");
    }
    LOG.info(out.toString());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(20), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
