package com.oms.http;

import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.config.OmsConfig;
import com.oms.support.RedisScript;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per client and per operation token buckets, kept in Redis so every instance of the service draws on the
 * same bucket. The client is the token's subject once authenticated, else the caller's address. A request
 * without a token left gets 429 with Retry-After (whole seconds, rounded up). If Redis cannot answer, the
 * request goes through: a limiter must not turn a cache outage into an API outage. That is logged at most
 * every {@link #WARN_EVERY} per operation, with the number of requests let through unchecked meanwhile,
 * so an outage under load does not flood the log with a line per request.
 */
final class RateLimiter implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  private static final RedisScript SCRIPT = new RedisScript("lua/rate_limit.lua");
  static final Duration WARN_EVERY = Duration.ofSeconds(10);

  private final Redis redis;
  private final String keyPrefix;
  private final String operation;
  private final OmsConfig.Bucket bucket;
  private final List<String> exemptRoles;
  private final Clock clock;
  private final AtomicLong uncheckedSinceWarning = new AtomicLong();
  private final AtomicLong nextWarningAt = new AtomicLong(Long.MIN_VALUE);

  RateLimiter(Redis redis, String keyPrefix, String operation, OmsConfig.Bucket bucket, List<String> exemptRoles,
              Clock clock) {
    this.exemptRoles = exemptRoles;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.operation = operation;
    this.bucket = bucket;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.user() != null && ctx.user().principal().getJsonArray("roles", new io.vertx.core.json.JsonArray()).stream()
      .anyMatch(exemptRoles::contains)) {
      ctx.next();
      return;
    }
    String subject = ctx.user() == null ? null : ctx.user().principal().getString("sub");
    String client = subject != null ? "sub:" + subject : "ip:" + ctx.request().remoteAddress().hostAddress();
    String key = keyPrefix + ":ratelimit:v1:" + operation + ":" + client;
    SCRIPT.run(redis, List.of(key), List.of(String.valueOf(bucket.burst()), String.valueOf(bucket.perSecond()),
        String.valueOf(clock.millis())))
      .onComplete(ar -> {
        if (ar.failed()) {
          letThroughUnchecked(ar.cause());
          ctx.next();
        } else if (ar.result().get(0).toInteger() == 1) {
          ctx.next();
        } else {
          long waitMillis = ar.result().get(1).toLong();
          ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, (waitMillis + 999) / 1000)));
          ProblemResponses.send(ctx, new Problem(ProblemType.RATE_LIMITED, "too many " + operation
            + " requests from this client: at most " + bucket.perSecond() + " per second with bursts of "
            + bucket.burst()));
        }
      });
  }

  private void letThroughUnchecked(Throwable cause) {
    uncheckedSinceWarning.incrementAndGet();
    long now = clock.millis();
    long due = nextWarningAt.get();
    if (now >= due && nextWarningAt.compareAndSet(due, now + WARN_EVERY.toMillis())) {
      LOG.warn("rate limit of {} not checked: {} request(s) let through unchecked since the last warning: {}",
        operation, uncheckedSinceWarning.getAndSet(0), cause.getMessage());
    }
  }
}
