package com.oms.dev;

import com.oms.config.OmsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dev mode's embedded servers: whatever the configuration leaves unnamed (Postgres, Redis, SMTP) is
 * started here, on a worker thread, with Postgres and Redis data kept under {@code dev.dataDir}.
 */
public final class DevServers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DevServers.class);
  private final List<AutoCloseable> started = new ArrayList<>();

  /** Starts what is missing and answers the configuration completed with their addresses. */
  public Future<JsonObject> startMissing(Vertx vertx, JsonObject raw) {
    return vertx.executeBlocking(() -> {
      OmsConfig config = OmsConfig.fromJson(raw);
      JsonObject completed = raw.copy();
      Path dataDir = Path.of(config.dev().dataDir()).toAbsolutePath();
      if (config.postgres().embedded()) {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir.resolve("postgres"), config.dev().postgresPort());
        started.add(postgres);
        completed.getJsonObject("postgres").put("url", postgres.ensureDatabase("oms"));
        LOG.info("embedded Postgres 17 on port {}, data in {}", postgres.port(), dataDir.resolve("postgres"));
      }
      if (config.redis().embedded()) {
        EmbeddedRedisServer redis = EmbeddedRedisServer.start(dataDir.resolve("redis"), config.dev().redisPort());
        started.add(redis);
        completed.getJsonObject("redis").put("url", redis.url());
        LOG.info("embedded Redis on port {}, data in {}", redis.port(), dataDir.resolve("redis"));
      }
      if (config.notification().embeddedSmtp()) {
        EmbeddedSmtpServer smtp = EmbeddedSmtpServer.start(config.notification().smtpPort());
        started.add(smtp);
        completed.getJsonObject("notification").put("smtpHost", "127.0.0.1").put("smtpPort", smtp.port());
        LOG.info("embedded SMTP server (GreenMail) on port {}: customer email is captured there", smtp.port());
      }
      return completed;
    });
  }

  public boolean any() {
    return !started.isEmpty();
  }

  /** Stops the servers in reverse order. Blocking. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        LOG.warn("could not stop an embedded server cleanly: {}", e.toString());
      }
    }
    started.clear();
  }
}
