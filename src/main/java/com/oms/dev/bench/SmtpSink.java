package com.oms.dev.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMTP server for load tests that accepts every message and keeps none, as a mail provider's relay
 * would from this service's side. It speaks the protocol (greeting, EHLO with PIPELINING, MAIL, RCPT,
 * DATA with the dot terminator, RSET, NOOP, QUIT) and counts what it accepted. GreenMail, which the tests
 * use to read what was sent, parses and keeps every message: under load it took a seventh of the two
 * cores the benchmark shares, so the benchmark measured the mail sink rather than the service.
 */
public final class SmtpSink {

  private final NetServer server;
  private final AtomicLong accepted = new AtomicLong();

  private SmtpSink(NetServer server) {
    this.server = server;
  }

  /** Listens on a free port of 127.0.0.1. */
  public static Future<SmtpSink> start(Vertx vertx) {
    NetServer server = vertx.createNetServer();
    SmtpSink sink = new SmtpSink(server);
    server.connectHandler(sink::serve);
    return server.listen(0, "127.0.0.1").map(listening -> sink);
  }

  public int port() {
    return server.actualPort();
  }

  /** Messages accepted so far (each ended by the DATA terminator and answered 250). */
  public long accepted() {
    return accepted.get();
  }

  private void serve(NetSocket socket) {
    Session session = new Session(socket);
    RecordParser lines = RecordParser.newDelimited("\r\n", session::line);
    socket.handler(lines);
    socket.write("220 oms-smtp-sink ESMTP ready\r\n");
  }

  /** One connection: commands line by line, or message content while in DATA. */
  private final class Session {
    private final NetSocket socket;
    private boolean inData;

    Session(NetSocket socket) {
      this.socket = socket;
    }

    void line(Buffer line) {
      if (inData) {
        if (line.length() == 1 && line.getByte(0) == '.') {
          inData = false;
          accepted.incrementAndGet();
          socket.write("250 2.0.0 accepted\r\n");
        }
        return; // content (dot-stuffed lines included) is not kept
      }
      String command = line.toString().toUpperCase(Locale.ROOT);
      if (command.startsWith("EHLO")) {
        socket.write("250-oms-smtp-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n");
      } else if (command.startsWith("HELO")) {
        socket.write("250 oms-smtp-sink\r\n");
      } else if (command.startsWith("MAIL FROM:") || command.startsWith("RCPT TO:")
        || command.startsWith("RSET") || command.startsWith("NOOP")) {
        socket.write("250 2.0.0 ok\r\n");
      } else if (command.equals("DATA")) {
        inData = true;
        socket.write("354 end data with <CR><LF>.<CR><LF>\r\n");
      } else if (command.startsWith("QUIT")) {
        socket.end(Buffer.buffer("221 2.0.0 bye\r\n"));
      } else {
        socket.write("502 5.5.2 command not recognised\r\n");
      }
    }
  }
}
