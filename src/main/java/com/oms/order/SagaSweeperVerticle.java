package com.oms.order;

import com.oms.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saga's safety net: every interval, orders whose next step is overdue (the process died mid-step, a
 * step timed out, no partner was free) or whose compensation is unfinished are driven on. Because the
 * saga state lives in Postgres, this is also how a restarted service resumes what it was doing.
 */
public final class SagaSweeperVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SagaSweeperVerticle.class);

  private final Duration interval;
  private final int batchSize;
  private final DeliveryOptions busOptions;

  public SagaSweeperVerticle(Duration interval, int batchSize, Duration requestTimeout) {
    this.interval = interval;
    this.batchSize = batchSize;
    // to this member's order verticles: the leader does the work itself, and a member that died but is not
    // yet detected cannot hold the sweep until the timeout
    this.busOptions = new DeliveryOptions().setSendTimeout(Math.max(requestTimeout.toMillis() * 6, 30_000)).setLocalOnly(true);
  }

  private com.oms.support.Leadership leadership;
  /**
   * Where the last sweep's look at the orders on the road stopped; kept here, not by the order verticle
   * instances (any of which may answer a sweep), so each sweep reads the next page.
   */
  private JsonObject onTheRoadAfter;

  @Override
  public Future<?> start() {
    // one member of a cluster sweeps; any member takes over when it is gone
    leadership = new com.oms.support.Leadership(vertx, "saga-sweeper");
    leadership.every(interval, this::sweep);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    leadership.resign();
    return Future.succeededFuture();
  }

  Future<Void> sweep() {
    JsonObject request = new JsonObject().put("batchSize", batchSize).put("onTheRoadAfter", onTheRoadAfter);
    return vertx.eventBus().<JsonObject>request(Addresses.ORDER_SWEEP, request, busOptions)
      .onSuccess(reply -> onTheRoadAfter = reply.body().getJsonObject("onTheRoadAfter"))
      .<Void>mapEmpty()
      .onFailure(failure -> LOG.warn("saga sweep failed, next sweep retries: {}", failure.getMessage()));
  }
}
