package com.oms.http;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request: method, path, status, duration, and the order when one is involved. A platform
 * handler, so it runs first and times the whole request, body included.
 */
final class RequestLog implements PlatformHandler {

  static final String ORDER_ID = "orderId";
  private static final Logger LOG = LoggerFactory.getLogger("oms.http");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> {
      long micros = (System.nanoTime() - start) / 1_000;
      String orderId = ctx.get(ORDER_ID);
      if (orderId == null) {
        orderId = ctx.pathParam(ORDER_ID);
      }
      // the path only: query strings can carry tokens (the tracking feed accepts access_token)
      if (LOG.isInfoEnabled()) {
        long fraction = micros % 1000;
        LOG.info("{} {} {} {}.{}{}ms{}", ctx.request().method(), ctx.request().path(), ctx.response().getStatusCode(),
          micros / 1000, fraction < 100 ? (fraction < 10 ? "00" : "0") : "", fraction, orderId == null ? "" : " orderId=" + orderId);
      }
    });
    ctx.next();
  }
}
