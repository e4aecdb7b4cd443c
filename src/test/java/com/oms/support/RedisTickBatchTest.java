package com.oms.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.TestStack;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Commands sent in one turn of an event loop go to a real Redis as one batch; failures fall back to one each. */
class RedisTickBatchTest {

  private static final RedisScript INCREMENT = new RedisScript("lua/rate_limit.lua");

  private Vertx vertx;
  private Redis redis;
  /** What reached the client: each batch's size, and 1 for each command sent alone. */
  private final List<Integer> calls = new CopyOnWriteArrayList<>();
  private Context context;
  private RedisTickBatch batch;
  private final String prefix = "tick-batch-" + UUID.randomUUID() + ":";

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    redis = new CountingRedis(Redis.createClient(vertx, TestStack.get().redisUrl()));
    context = vertx.getOrCreateContext();
    Promise<RedisTickBatch> made = Promise.promise();
    context.runOnContext(v -> made.complete(new RedisTickBatch(vertx, redis)));
    batch = made.future().await();
  }

  @AfterEach
  void stop() {
    redis.close().await();
    vertx.close().await();
  }

  /** Sends every request from the batch's context within one task. */
  private List<Future<Response>> sendInOneTask(Function<RedisTickBatch, List<Future<Response>>> sends) {
    Promise<List<Future<Response>>> sent = Promise.promise();
    context.runOnContext(v -> sent.complete(sends.apply(batch)));
    return sent.future().await();
  }

  private Request incr(String key) {
    return Request.cmd(Command.INCR).arg(prefix + key);
  }

  @Test
  @DisplayName("commands sent in one task go out as one batch, each answered with its own reply")
  void oneBatchPerTask() {
    List<Future<Response>> answers = sendInOneTask(b -> List.of(b.send(incr("a")), b.send(incr("a")), b.send(incr("b"))));
    Future.all(new ArrayList<Future<?>>(answers)).await();

    assertThat(answers).extracting(answer -> answer.result().toInteger()).containsExactly(1, 2, 1);
    assertThat(calls).containsExactly(3);
  }

  @Test
  @DisplayName("a command alone goes alone, and one from another context is not held for a batch")
  void aloneAndElsewhere() {
    sendInOneTask(b -> List.of(b.send(incr("a")))).get(0).await();
    assertThat(batch.send(incr("a")).await().toInteger()).as("from the test thread").isEqualTo(2);

    assertThat(calls).containsExactly(1, 1);
  }

  @Test
  @DisplayName("when one command of a batch fails, the others are answered (sent again alone) and only it fails")
  void failureFallsBackToOneEach() {
    redis.send(Request.cmd(Command.HSET).arg(prefix + "hash").arg("field").arg("1")).await();
    calls.clear();
    List<Future<Response>> answers = sendInOneTask(b -> List.of(b.send(incr("a")), b.send(incr("hash")), b.send(incr("c"))));
    Future.join(new ArrayList<Future<?>>(answers)).otherwiseEmpty().await();

    assertThat(answers.get(1).failed()).as("INCR of a hash").isTrue();
    assertThat(answers.get(1).cause().getMessage()).contains("WRONGTYPE");
    assertThat(answers.get(0).result().toInteger()).as("ran twice: once in the batch, once alone").isEqualTo(2);
    assertThat(answers.get(2).result().toInteger()).isEqualTo(2);
    assertThat(calls).containsExactly(3, 1, 1, 1);
  }

  @Test
  @DisplayName("scripts Redis has forgotten still run from a batch: each falls back to EVAL")
  void forgottenScripts() {
    redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await();
    calls.clear();
    List<String> args = List.of("10", "1", "1000", "1");
    List<Future<Response>> answers = sendInOneTask(b -> List.of(
      INCREMENT.run(b, List.of(prefix + "bucket-a"), args), INCREMENT.run(b, List.of(prefix + "bucket-b"), args)));
    Future.all(new ArrayList<Future<?>>(answers)).await();

    assertThat(answers).extracting(answer -> answer.result().get(0).toInteger()).as("each took a token").containsExactly(1, 1);
    assertThat(calls.get(0)).as("both EVALSHAs in one batch").isEqualTo(2);
  }

  /** The real client, counting what reaches it. */
  private final class CountingRedis implements Redis {
    private final Redis client;

    CountingRedis(Redis client) {
      this.client = client;
    }

    @Override
    public Future<RedisConnection> connect() {
      return client.connect();
    }

    @Override
    public Future<Void> close() {
      return client.close();
    }

    @Override
    public Future<Response> send(Request command) {
      calls.add(1);
      return client.send(command);
    }

    @Override
    public Future<List<Response>> batch(List<Request> commands) {
      calls.add(commands.size());
      return client.batch(commands);
    }
  }
}
