package com.oms.http;

import com.oms.bus.Problem;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * Sheds load at the door: at most {@code limit} API requests are in progress on this edge instance; one
 * more is answered 503 with Retry-After at once, before its body is read, instead of queueing behind the
 * others. Under overload the requests the service does accept keep a bounded latency, and clients learn
 * to back off instead of timing out. Confined to the edge verticle's event loop, so a plain counter.
 */
final class AdmissionLimit implements PlatformHandler {

  private final int limit;
  private int inProgress;

  AdmissionLimit(int limit) {
    this.limit = limit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if ("websocket".equalsIgnoreCase(ctx.request().getHeader(io.vertx.core.http.HttpHeaders.UPGRADE))) {
      // a tracking feed stays open for as long as the customer watches: counting it would let a few
      // hundred watchers shut the API; feeds have their own backpressure (tracking.*)
      ctx.next();
      return;
    }
    if (inProgress >= limit) {
      ProblemResponses.send(ctx, Problem.unavailable("the service is at capacity; retry after the Retry-After delay"));
      return;
    }
    inProgress++;
    ctx.addEndHandler(ended -> inProgress--);
    ctx.next();
  }
}
