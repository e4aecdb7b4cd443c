package com.oms.failure;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.dev.EmbeddedPostgresServer;
import com.oms.dev.EmbeddedRedisServer;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Postgres and Redis of its own, so this class can stop and start them: the API answers 503 with
 * Retry-After while one is away, readiness turns red, and the service recovers by itself.
 */
class DependencyFaultTest extends IntegrationTest {

  private static final Path PG_DATA;
  private static final int PG_PORT;
  private static final int REDIS_PORT;
  private static EmbeddedPostgresServer postgres;
  private static EmbeddedRedisServer redis;

  static {
    try {
      PG_DATA = Files.createTempDirectory("oms-fault-pg").resolve("data");
      postgres = EmbeddedPostgresServer.start(PG_DATA, 0);
      PG_PORT = postgres.port();
      postgres.ensureDatabase("oms");
      redis = EmbeddedRedisServer.start(null, 0);
      REDIS_PORT = redis.port();
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("postgres").put("url", postgres.url("oms")).put("connectTimeout", "PT1S");
    config.getJsonObject("redis").put("url", redis.url());
    config.getJsonObject("bus").put("requestTimeout", "PT2S");
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private Future<Integer> readiness() {
    return api.get("/health/ready", null).map(HttpResponse::statusCode);
  }

  private static void assertUnavailable(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
    assertThat(response.getHeader("Retry-After")).isNotBlank();
    assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:service-unavailable");
  }

  @Test
  @DisplayName("Redis away: placement answers 503 with Retry-After, readiness is red; Redis back (empty): it recovers by itself")
  void redisOutage() throws Exception {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 100).await();
    String token = api.customerToken(unique("cust"));
    String before = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");

    redis.close();
    HttpResponse<Buffer> refused = api.place(token, cardOrder(store, "tok_visa", items("a", 1))).await();
    assertUnavailable(refused);
    Poll.until(app.vertx, this::readiness, status -> status == 503, DEADLINE, "readiness to turn red").await();

    redis = EmbeddedRedisServer.start(null, REDIS_PORT);
    Poll.until(app.vertx, this::readiness, status -> status == 200, DEADLINE, "readiness to recover").await();
    Poll.until(app.vertx, () -> api.place(token, cardOrder(store, "tok_visa", items("a", 1))).map(HttpResponse::statusCode),
      status -> status == 201, DEADLINE, "placement to work again").await();

    assertThat(api.order(before, token).await().getString("orderId")).isEqualTo(before);
    JsonObject stock = api.stockLevel(store, "a").await();
    assertThat(stock.getInteger("held") + stock.getInteger("reserved")).as("rebuilt from Postgres, nothing lost or doubled")
      .isBetween(2, 3);
  }

  @Test
  @DisplayName("Postgres away: reads and writes answer 503 with Retry-After, readiness is red; Postgres back: it recovers with every order kept")
  void postgresOutage() throws Exception {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 100).await();
    String token = api.customerToken(unique("cust"));
    String kept = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");

    postgres.close();
    assertUnavailable(api.get("/v1/orders/" + kept, token).await());
    assertUnavailable(api.place(token, cardOrder(store, "tok_visa", items("a", 1))).await());
    Poll.until(app.vertx, this::readiness, status -> status == 503, DEADLINE, "readiness to turn red").await();

    postgres = EmbeddedPostgresServer.start(PG_DATA, PG_PORT);
    Poll.until(app.vertx, this::readiness, status -> status == 200, Duration.ofSeconds(30), "readiness to recover").await();
    Poll.until(app.vertx, () -> api.get("/v1/orders/" + kept, token).map(HttpResponse::statusCode), s -> s == 200,
      DEADLINE, "reads to work again").await();
    expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await();
  }
}
