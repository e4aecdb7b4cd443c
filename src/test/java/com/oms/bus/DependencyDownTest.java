package com.oms.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.unix.Errors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import com.oms.testing.TestStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a dependency's failures become for the caller: a dropped or missing connection is "unavailable"
 * (503 with Retry-After, retried by the saga), never an internal error (500).
 */
class DependencyDownTest {

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("Redis behind a Unix socket that is gone (Redis restarting): the failure is a dependency down, answered 503")
  void missingUnixSocket() throws Exception {
    assertThat(vertx.isNativeTransportEnabled()).as("Unix sockets need the native transport").isTrue();
    Path socket = Files.createTempDirectory("oms-no-redis").resolve("redis.sock");
    Redis redis = Redis.createClient(vertx, "unix://" + socket);

    Future<Response> ping = redis.send(Request.cmd(Command.PING));
    ping.otherwiseEmpty().await();

    assertThat(ping.failed()).isTrue();
    assertThat(Replies.isDependencyDown(ping.cause())).as(ping.cause().toString()).isTrue();
    Problem problem = Replies.toProblem("test", ping.cause());
    assertThat(problem.type()).isEqualTo(ProblemType.SERVICE_UNAVAILABLE);
  }

  @Test
  @DisplayName("a Redis command waiting on a connection that closes (Redis restarting) is a dependency down, answered 503")
  void redisConnectionClosedUnderAWaitingCommand() {
    Redis redis = Redis.createClient(vertx, TestStack.get().redisUrl());
    RedisConnection connection = redis.connect().await();
    long id = connection.send(Request.cmd(Command.CLIENT).arg("ID")).await().toLong();
    // waits for a list no one fills, until the connection under it is killed
    Future<Response> waiting = connection.send(Request.cmd(Command.BLPOP).arg("nothing-" + UUID.randomUUID()).arg(0));
    redis.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(id)).await();
    waiting.otherwiseEmpty().await();

    assertThat(waiting.failed()).isTrue();
    assertThat(Replies.isDependencyDown(waiting.cause())).as(waiting.cause().toString()).isTrue();
    assertThat(Replies.toProblem("test", waiting.cause()).type()).isEqualTo(ProblemType.SERVICE_UNAVAILABLE);
    redis.close().await();
  }

  @Test
  @DisplayName("a write to a connection the other side closed (broken pipe, as netty reports it) is a dependency down")
  void brokenPipe() {
    Throwable brokenPipe = Errors.newIOException("sendAddress(..)", Errors.ERRNO_EPIPE_NEGATIVE);

    assertThat(Replies.isDependencyDown(brokenPipe)).as(brokenPipe.toString()).isTrue();
  }
}
