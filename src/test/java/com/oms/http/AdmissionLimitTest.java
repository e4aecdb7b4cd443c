package com.oms.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import com.oms.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class AdmissionLimitTest {

  @Test
  @DisplayName("beyond the limit a request is answered 503 with Retry-After at once; a finished request frees its place")
  void shedsBeyondTheLimit(Vertx vertx) {
    List<RoutingContext> parked = new CopyOnWriteArrayList<>();
    AdmissionLimit limit = new AdmissionLimit(2);
    Router router = Router.router(vertx);
    router.route().handler(limit);
    router.get("/slow").handler(parked::add); // answered only when the test says so
    router.get("/fast").handler(ctx -> ctx.response().end("ok"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).await();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultPort(server.actualPort()).setDefaultHost("127.0.0.1"));

    Future<HttpResponse<Buffer>> first = client.get("/slow").send();
    Future<HttpResponse<Buffer>> second = client.get("/slow").send();
    Poll.until(vertx, () -> Future.succeededFuture(parked.size()), n -> n == 2, Duration.ofSeconds(10), "both slow requests admitted")
      .await();

    HttpResponse<Buffer> shed = client.get("/fast").send().await();
    assertThat(shed.statusCode()).isEqualTo(503);
    assertThat(shed.getHeader("Retry-After")).isEqualTo("1");
    assertThat(shed.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(shed.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:service-unavailable");

    parked.get(0).response().end("done");
    assertThat(first.await().statusCode()).isEqualTo(200);
    // the place is freed when the response has ended on the server, just after the client has it
    Poll.until(vertx, () -> client.get("/fast").send().map(HttpResponse::statusCode), status -> status == 200,
      Duration.ofSeconds(10), "a place to be freed").await();

    parked.get(1).response().end("done");
    assertThat(second.await().statusCode()).isEqualTo(200);
    server.close().await();
  }

  @Test
  @DisplayName("open WebSocket feeds do not take places: they are long-lived and have their own backpressure")
  void webSocketsAreNotCounted(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(new AdmissionLimit(1));
    router.get("/feed").handler(ctx -> ctx.request().toWebSocket());
    router.get("/fast").handler(ctx -> ctx.response().end("ok"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).await();
    io.vertx.core.http.WebSocketClient feeds = vertx.createWebSocketClient();
    for (int i = 0; i < 3; i++) {
      feeds.connect(server.actualPort(), "127.0.0.1", "/feed").await();
    }
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultPort(server.actualPort()).setDefaultHost("127.0.0.1"));
    assertThat(client.get("/fast").send().await().statusCode()).isEqualTo(200);
    server.close().await();
  }
}
