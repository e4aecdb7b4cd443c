package com.oms.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.oms.config.OmsConfig;
import com.oms.testing.TestClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
class RateLimiterOutageTest {

  @Test
  @DisplayName("with Redis down every request goes through, and the outage is logged once per interval with a count, not per request")
  void outageLetsRequestsThroughAndWarnsSparingly(Vertx vertx) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort(); // nothing listens there once the socket is closed
    }
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + closedPort));
    TestClock clock = TestClock.startingNow();
    Router router = Router.router(vertx);
    router.route().handler(new RateLimiter(redis, "outage", "listThings", new OmsConfig.Bucket(1, 1), List.of(), clock));
    router.get("/things").handler(ctx -> ctx.response().end("ok"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).await();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultPort(server.actualPort())
      .setDefaultHost("127.0.0.1"));

    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    Logger logger = (Logger) LoggerFactory.getLogger(RateLimiter.class);
    logger.addAppender(captured);
    try {
      for (int i = 0; i < 20; i++) { // a bucket of 1: Redis up, most of these would be refused with 429
        assertThat(client.get("/things").send().await().statusCode()).as("request " + i).isEqualTo(200);
      }
      assertThat(warnings(captured)).as("one warning for the first unchecked request, none for the 19 after it")
        .singleElement().asString().contains("listThings").contains(" 1 request(s)");

      clock.advance(RateLimiter.WARN_EVERY.plusSeconds(1));
      assertThat(client.get("/things").send().await().statusCode()).isEqualTo(200);
      assertThat(warnings(captured)).as("after the interval, one more warning counting the requests since the last")
        .hasSize(2).last().asString().contains(" 20 request(s)");
    } finally {
      logger.detachAppender(captured);
      server.close().await();
      redis.close();
    }
  }

  private static List<String> warnings(ListAppender<ILoggingEvent> captured) {
    return captured.list.stream().filter(event -> event.getLevel() == ch.qos.logback.classic.Level.WARN)
      .map(ILoggingEvent::getFormattedMessage).toList();
  }
}
