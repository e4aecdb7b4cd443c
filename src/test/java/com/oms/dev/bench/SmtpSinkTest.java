package com.oms.dev.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The load world's SMTP sink takes mail as the service sends it: pipelined, over a kept-alive connection. */
class SmtpSinkTest {

  @Test
  @DisplayName("messages sent by the service's mail client are accepted and counted, dot-stuffed content included")
  void acceptsWhatTheMailClientSends() {
    Vertx vertx = Vertx.vertx();
    try {
      SmtpSink sink = SmtpSink.start(vertx).await();
      MailClient mail = MailClient.create(vertx, new MailConfig().setHostname("127.0.0.1").setPort(sink.port())
        .setStarttls(StartTLSOptions.DISABLED).setKeepAlive(true));
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        sent.add(mail.sendMail(new MailMessage().setFrom("orders@oms.local").setTo("buyer" + i + "@example.com")
          .setSubject("order " + i).setText("line one\n.\na line that starts with a dot\n")));
      }
      Future.all(sent).await();
      assertThat(sink.accepted()).isEqualTo(3);
      mail.close().await();
    } finally {
      vertx.close().await();
    }
  }
}
