package com.oms.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis commands sent from one context while its event loop works through the tasks at hand go to Redis
 * as one batch: one write to the socket and one read of the answers, instead of one of each per command.
 * Order answers arrive in bursts (a group commit answers many orders at once, and each then asks Redis),
 * and on a machine where every system call and every wake-up of a peer costs, a burst of N costs one.
 * A command alone goes out at the end of the current task, without waiting for anything else.
 * <p>
 * Only for commands that may run twice: Redis answers a batch as a whole, so when one command of a batch
 * fails, the batch's answers are lost and each command is sent again alone (the inventory scripts so
 * marked leave stock as one run does and answer alike, as InventoryScriptsTest checks). Commands sent from any other
 * context go out at once, alone. Made for the standalone client the service connects with: a Redis
 * Cluster client refuses a batch whose keys live on several nodes, and each command would then go alone.
 */
public final class RedisTickBatch implements RedisScript.Sender {

  private record Pending(Request request, Promise<Response> answer) {
  }

  private final Redis redis;
  private final Context context;
  private List<Pending> waiting = new ArrayList<>();

  /** Batches what is sent from the calling context. */
  public RedisTickBatch(Vertx vertx, Redis redis) {
    this.redis = redis;
    this.context = vertx.getOrCreateContext();
  }

  @Override
  public Future<Response> send(Request request) {
    if (Vertx.currentContext() != context) {
      return redis.send(request);
    }
    Promise<Response> answer = Promise.promise();
    waiting.add(new Pending(request, answer));
    if (waiting.size() == 1) {
      // queued behind the tasks already waiting for this event loop: what they send joins this batch
      context.runOnContext(v -> flush());
    }
    return answer.future();
  }

  private void flush() {
    List<Pending> batch = waiting;
    waiting = new ArrayList<>();
    if (batch.size() == 1) {
      sendAlone(batch.get(0));
      return;
    }
    List<Request> requests = new ArrayList<>(batch.size());
    batch.forEach(pending -> requests.add(pending.request()));
    redis.batch(requests).onComplete(answered -> {
      if (answered.failed()) {
        batch.forEach(this::sendAlone);
        return;
      }
      List<Response> responses = answered.result();
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).answer().complete(responses.get(i));
      }
    });
  }

  private void sendAlone(Pending pending) {
    redis.send(pending.request()).onComplete(pending.answer());
  }
}
