package com.oms;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.Poll;
import com.oms.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class StopTest {

  @Test
  @DisplayName("a stop finishes while the mail server holds a message unanswered")
  void stopWhileAMessageIsUnanswered(Vertx vertx) throws Exception {
    AtomicInteger unanswered = new AtomicInteger();
    NetServer smtp = silentAfterData(vertx, unanswered);
    TestApp app = TestApp.start(vertx, config -> config.getJsonObject("notification")
      .put("smtpHost", "127.0.0.1").put("smtpPort", smtp.actualPort())).await();
    String store = "store-stop";
    app.api.store(store, 21.0, 72.0).await();
    app.api.stock(store, "a", 5, 1000).await();
    expect(app.api.place(app.api.customerToken("cust-stop"), cardOrder(store, "tok_visa", items("a", 1))), 201).await();
    Poll.until(vertx, () -> Future.succeededFuture(unanswered.get()), n -> n > 0, Duration.ofSeconds(15),
      "a confirmation email sent up to its final dot").await();

    long started = System.nanoTime();
    app.stop().toCompletionStage().toCompletableFuture().get(40, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
      .as("each part of the stop waits at most " + OmsApplication.CLOSE_WAIT)
      .isLessThan(OmsApplication.CLOSE_WAIT.multipliedBy(4));
    smtp.close().await();
  }

  /** An SMTP server that takes every message and never answers its final dot (as a stuck relay would). */
  private static NetServer silentAfterData(Vertx vertx, AtomicInteger unanswered) {
    NetServer server = vertx.createNetServer();
    server.connectHandler(socket -> {
      boolean[] inData = {false};
      socket.handler(RecordParser.newDelimited("\r\n", line -> {
        String text = line.toString();
        if (inData[0]) {
          if (text.equals(".")) {
            unanswered.incrementAndGet(); // no reply, ever
          }
        } else if (text.startsWith("EHLO")) {
          socket.write("250-silent\r\n250 PIPELINING\r\n");
        } else if (text.equals("DATA")) {
          inData[0] = true;
          socket.write("354 go on\r\n");
        } else {
          socket.write("250 ok\r\n");
        }
      }));
      socket.write("220 silent ESMTP\r\n");
    });
    return server.listen(0, "127.0.0.1").await();
  }
}
