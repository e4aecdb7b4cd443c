package com.oms.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;

/** Applies the Flyway migrations over JDBC, on a worker thread: Flyway blocks. */
public final class Migrations {

  private Migrations() {
  }

  public static Future<Integer> apply(Vertx vertx, String postgresUrl) {
    return vertx.executeBlocking(() -> {
      PgConnectOptions options = PgConnectOptions.fromUri(postgresUrl);
      String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
      return Flyway.configure()
        .dataSource(jdbcUrl, options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate()
        .migrationsExecuted;
    });
  }
}
