package com.oms.dev;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/** A real Redis server run from the embedded binary. Blocking: call it from a worker or from main. */
public final class EmbeddedRedisServer implements AutoCloseable {

  private final RedisServer server;
  private final int port;

  private EmbeddedRedisServer(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts Redis on {@code port} (0: any free port). With a data directory it keeps an append-only file
   * there, so a restart keeps its data; without one it keeps nothing on disk.
   */
  public static EmbeddedRedisServer start(Path dataDirectory, int port) throws IOException {
    return start(dataDirectory, port, null);
  }

  /** As {@link #start(Path, int)}, also listening on the Unix socket {@code unixSocket} when it is given. */
  public static EmbeddedRedisServer start(Path dataDirectory, int port, Path unixSocket) throws IOException {
    int actualPort = port > 0 ? port : freePort();
    var builder = RedisServer.newRedisServer()
      .port(actualPort)
      .bind("127.0.0.1")
      .setting("maxmemory-policy noeviction")
      .setting("save \"\"");
    if (unixSocket != null) {
      builder.setting("unixsocket " + unixSocket.toAbsolutePath()).setting("unixsocketperm 700");
    }
    if (dataDirectory != null) {
      Files.createDirectories(dataDirectory);
      builder.setting("dir " + dataDirectory.toAbsolutePath())
        .setting("appendonly yes")
        .setting("appendfsync everysec");
    } else {
      builder.setting("appendonly no");
    }
    RedisServer server = builder.build();
    server.start();
    return new EmbeddedRedisServer(server, actualPort);
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    server.stop();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
