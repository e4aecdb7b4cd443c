package com.oms.http;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OperationsTest extends IntegrationTest {

  @Test
  @DisplayName("liveness is up; readiness checks Postgres and Redis with real commands")
  void health() {
    HttpResponse<Buffer> live = api.get("/health/live", null).await();
    assertThat(live.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = api.get("/health/ready", null).await();
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject body = ready.bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("UP");
    assertThat(body.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")))
      .containsExactlyInAnyOrder("postgres", "redis");
  }

  @Test
  @DisplayName("metrics in Prometheus format count orders by status and time the saga steps")
  void metrics() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 5, 100).await();
    String token = api.customerToken(unique("cust"));
    String orderId = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");
    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("INVENTORY_RESERVED"),
      DEADLINE, "reservation").await();

    // the gauge is counted by the sweeper at most every 30 s
    app.clock.advance(java.time.Duration.ofSeconds(31));
    String metrics = Poll.until(app.vertx, () -> api.get("/metrics", null).map(HttpResponse::bodyAsString),
      text -> text.contains("oms_orders{status=\"INVENTORY_RESERVED\"} 1.0"), DEADLINE, "the status gauge").await();

    assertThat(metrics).contains("oms_order_transitions_total{to=\"PAYMENT_SUCCESS\"}");
    assertThat(metrics).contains("oms_saga_step_seconds_count{step=\"hold\"}");
    assertThat(metrics).contains("oms_saga_step_seconds_count{step=\"charge\"}");
  }

  @Test
  @DisplayName("the OpenAPI contract is served as YAML")
  void contract() {
    HttpResponse<Buffer> response = api.get("/openapi.yaml", null).await();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/yaml");
    assertThat(response.bodyAsString()).startsWith("openapi: 3.1.0").contains("operationId: placeOrder");
  }
}
