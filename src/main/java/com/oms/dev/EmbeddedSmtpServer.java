package com.oms.dev;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.util.List;

/** A real SMTP server (GreenMail) that keeps what it receives in memory, for dev mode and tests. */
public final class EmbeddedSmtpServer implements AutoCloseable {

  private final GreenMail greenMail;
  private final int port;

  private EmbeddedSmtpServer(GreenMail greenMail, int port) {
    this.greenMail = greenMail;
    this.port = port;
  }

  public static EmbeddedSmtpServer start(int port) throws IOException {
    int actualPort = port > 0 ? port : EmbeddedRedisServer.freePort();
    GreenMail greenMail = new GreenMail(new ServerSetup(actualPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    greenMail.start();
    return new EmbeddedSmtpServer(greenMail, actualPort);
  }

  public int port() {
    return port;
  }

  public List<MimeMessage> received() {
    return List.of(greenMail.getReceivedMessages());
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
