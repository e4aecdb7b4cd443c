package com.oms.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** A real Postgres 17 run from the embedded binaries. Blocking: call it from a worker or from main. */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts Postgres on {@code port} (0: any free port). With a data directory the data survives restarts;
   * without one it lives in a temporary directory removed on close.
   */
  public static EmbeddedPostgresServer start(Path dataDirectory, int port) throws IOException {
    return start(dataDirectory, port, java.util.Map.of());
  }

  /** As {@link #start(Path, int)}, with more server settings (e.g. shared_preload_libraries for a benchmark). */
  public static EmbeddedPostgresServer start(Path dataDirectory, int port, java.util.Map<String, String> settings)
      throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(port);
    if (dataDirectory != null) {
      Files.createDirectories(dataDirectory.getParent());
      // kept data should survive a crash: undo the embedded defaults that trade durability for speed
      builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on");
    }
    builder.setServerConfig("max_connections", "300");
    settings.forEach(builder::setServerConfig);
    return new EmbeddedPostgresServer(builder.start());
  }

  public int port() {
    return postgres.getPort();
  }

  /** Creates {@code database} unless it exists, and answers a URL for the reactive client and Flyway. */
  public String ensureDatabase(String database) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         Statement statement = connection.createStatement()) {
      try (ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
        if (!exists.next()) {
          statement.execute("CREATE DATABASE \"" + database + "\"");
        }
      }
    }
    return url(database);
  }

  public String url(String database) {
    return "postgresql://postgres:postgres@localhost:" + port() + "/" + database;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
