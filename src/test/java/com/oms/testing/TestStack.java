package com.oms.testing;

import com.oms.dev.EmbeddedPostgresServer;
import com.oms.dev.EmbeddedRedisServer;
import com.oms.dev.EmbeddedSmtpServer;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real servers every test talks to, started once per test JVM: embedded Postgres, Redis and SMTP, or
 * the Postgres and Redis named by OMS_TEST_PG_URL / OMS_TEST_REDIS_URL. Each test class gets its own
 * database and its own Redis key prefix, so classes never see each other's data.
 */
public final class TestStack {

  private static TestStack instance;

  private final String postgresAdminUrl;
  private final String redisUrl;
  private final EmbeddedSmtpServer smtp;

  private TestStack(String postgresAdminUrl, String redisUrl, EmbeddedSmtpServer smtp) {
    this.postgresAdminUrl = postgresAdminUrl;
    this.redisUrl = redisUrl;
    this.smtp = smtp;
  }

  public static synchronized TestStack get() {
    if (instance == null) {
      try {
        instance = startStack();
      } catch (Exception e) {
        throw new IllegalStateException("could not start the test servers", e);
      }
    }
    return instance;
  }

  private static TestStack startStack() throws Exception {
    String pgUrl = System.getenv("OMS_TEST_PG_URL");
    String redisUrl = System.getenv("OMS_TEST_REDIS_URL");
    EmbeddedPostgresServer postgres = null;
    EmbeddedRedisServer redis = null;
    if (pgUrl == null || pgUrl.isBlank()) {
      postgres = EmbeddedPostgresServer.start(null, 0);
      pgUrl = postgres.url("postgres");
    }
    if (redisUrl == null || redisUrl.isBlank()) {
      redis = EmbeddedRedisServer.start(null, 0);
      redisUrl = redis.url();
    }
    EmbeddedSmtpServer smtp = EmbeddedSmtpServer.start(0);
    EmbeddedPostgresServer startedPostgres = postgres;
    EmbeddedRedisServer startedRedis = redis;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      smtp.close();
      closeQuietly(startedRedis);
      closeQuietly(startedPostgres);
    }, "test-stack-shutdown"));
    return new TestStack(pgUrl, redisUrl, smtp);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // the JVM is going away
      }
    }
  }

  /** A new, empty database on the test Postgres; answers its URL. */
  public String freshDatabase() {
    String name = "oms_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    PgConnectOptions admin = PgConnectOptions.fromUri(postgresAdminUrl);
    String jdbc = "jdbc:postgresql://" + admin.getHost() + ":" + admin.getPort() + "/" + admin.getDatabase();
    try (Connection connection = DriverManager.getConnection(jdbc, admin.getUser(), admin.getPassword());
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("could not create test database " + name, e);
    }
    String credentials = admin.getUser() + (admin.getPassword() == null ? "" : ":" + admin.getPassword());
    return "postgresql://" + credentials + "@" + admin.getHost() + ":" + admin.getPort() + "/" + name;
  }

  public String redisUrl() {
    return redisUrl;
  }

  public EmbeddedSmtpServer smtp() {
    return smtp;
  }
}
