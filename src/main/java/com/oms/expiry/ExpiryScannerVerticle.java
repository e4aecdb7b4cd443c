package com.oms.expiry;

import com.oms.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every scan interval, asks the order domain to cancel orders past their time limit, one batch after the
 * other until a batch comes back short. Safe to run on every instance: the batches lock with SKIP LOCKED.
 */
public final class ExpiryScannerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ExpiryScannerVerticle.class);

  private final Duration interval;
  private final int batchSize;
  private final DeliveryOptions busOptions;

  public ExpiryScannerVerticle(Duration interval, int batchSize, Duration requestTimeout) {
    this.interval = interval;
    this.batchSize = batchSize;
    // A batch is one statement over many rows: more room than a single command. Local only: the leader
    // does the work itself, so a member that died but is not yet detected cannot hold the scan until the
    // timeout.
    this.busOptions = new DeliveryOptions().setSendTimeout(Math.max(requestTimeout.toMillis() * 6, 30_000)).setLocalOnly(true);
  }

  private com.oms.support.Leadership leadership;

  @Override
  public Future<?> start() {
    // one member of a cluster scans; any member takes over when it is gone
    leadership = new com.oms.support.Leadership(vertx, "expiry-scanner");
    leadership.every(interval, this::scan);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    leadership.resign();
    return Future.succeededFuture();
  }

  /** One scan: batches until the backlog is cleared ({@link com.oms.support.Leadership} never overlaps two). */
  Future<Integer> scan() {
    return nextBatch(0)
      .onSuccess(total -> {
        if (total > 0) {
          LOG.info("expiry scan cancelled {} orders", total);
        }
      })
      .onFailure(failure -> LOG.warn("expiry scan stopped early, next scan resumes: {}", failure.getMessage()));
  }

  private Future<Integer> nextBatch(int soFar) {
    JsonObject command = new JsonObject().put("batchSize", batchSize);
    return vertx.eventBus().<JsonObject>request(Addresses.ORDER_EXPIRE_DUE, command, busOptions).compose(reply -> {
      int expired = reply.body().getInteger("expired");
      return reply.body().getBoolean("more", false) ? nextBatch(soFar + expired) : Future.succeededFuture(soFar + expired);
    });
  }
}
