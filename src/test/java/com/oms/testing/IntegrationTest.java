package com.oms.testing;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that talks to the whole service over HTTP. One service per class; tests in a class keep
 * out of each other's way by using their own store, SKU and customer ids ({@link #unique}).
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class IntegrationTest {

  protected static final Duration DEADLINE = Duration.ofSeconds(15);
  protected TestApp app;
  protected Api api;

  @BeforeAll
  void startService(Vertx vertx, VertxTestContext ctx) {
    TestApp.start(vertx, this::configure).onComplete(ctx.succeeding(started -> {
      app = started;
      api = started.api;
      ctx.completeNow();
    }));
  }

  /** Override to change the configuration of this class's service. */
  protected void configure(io.vertx.core.json.JsonObject config) {
  }

  @AfterAll
  void stopService(VertxTestContext ctx) {
    if (app == null) {
      ctx.completeNow();
      return;
    }
    app.stop().onComplete(ctx.succeedingThenComplete());
  }

  protected static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
