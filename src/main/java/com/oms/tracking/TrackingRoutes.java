package com.oms.tracking;

import com.oms.bus.Caller;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.URI;
import java.time.Clock;
import java.util.List;

/**
 * The live tracking feed ({@code GET /v1/orders/{orderId}/track}, a WebSocket) and the tracking page
 * ({@code GET /track/{orderId}}). Browsers cannot set headers on a WebSocket, so the token may also come
 * as the {@code access_token} query parameter (never logged: the request log writes paths only). Only the
 * order's owner and admins may watch; anyone else gets close code 1008 before any order data. A browser's
 * Origin must be this service's own or one of the configured ones.
 */
public final class TrackingRoutes {

  private final Vertx vertx;
  private final TrackingHub hub;
  private final JWTAuth auth;
  private final List<String> allowedOrigins;
  private final OrderFeed.Settings settings;
  private final Clock clock;

  public TrackingRoutes(Vertx vertx, TrackingHub hub, JWTAuth auth, List<String> allowedOrigins,
                        int writeQueueMaxBytes, java.time.Duration slowClientTimeout, java.time.Duration pingInterval,
                        java.time.Duration requestTimeout, Clock clock) {
    this.vertx = vertx;
    this.hub = hub;
    this.auth = auth;
    this.allowedOrigins = allowedOrigins;
    this.settings = new OrderFeed.Settings(writeQueueMaxBytes, slowClientTimeout, pingInterval, requestTimeout);
    this.clock = clock;
  }

  public void mount(Router router) {
    router.get("/v1/orders/:orderId/track").handler(this::track);
    router.get("/track/:orderId").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "text/html; charset=utf-8")
      .putHeader("Cache-Control", "no-store")
      .putHeader("Referrer-Policy", "no-referrer")
      .sendFile("web/track.html"));
    router.route("/track-assets/*").handler(StaticHandler.create("web").setCachingEnabled(true).setMaxAgeSeconds(300));
  }

  private void track(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      ctx.response().setStatusCode(426).putHeader("Content-Type", "application/problem+json")
        .end(new Problem(ProblemType.VALIDATION_FAILED, "this is a WebSocket: connect with Upgrade: websocket").toJson()
          .put("status", 426).encode());
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !originAllowed(origin, request.getHeader(HttpHeaders.HOST))) {
      ctx.response().setStatusCode(403).putHeader("Content-Type", "application/problem+json")
        .end(new Problem(ProblemType.FORBIDDEN, "this page's Origin may not open the feed").toJson().encode());
      return;
    }
    String orderId = ctx.pathParam("orderId");
    Integer after = parseAfter(request.getParam("after"));
    Future<Caller> caller = authenticate(request);
    request.toWebSocket().onSuccess(ws -> caller.onComplete(ar -> {
      if (ar.failed() || after != null && after < 0 || !validOrderId(orderId)) {
        ws.close(OrderFeed.POLICY_VIOLATION, ar.failed() ? "a valid token of the order's owner or an admin is required"
          : "bad request");
        return;
      }
      Caller who = ar.result();
      if (!who.isAdmin() && !who.has(Caller.CUSTOMER)) {
        ws.close(OrderFeed.POLICY_VIOLATION, "only the order's customer or an admin may watch it");
        return;
      }
      new OrderFeed(vertx, ws, hub, who, orderId, settings, clock).start(after);
    }));
  }

  private Future<Caller> authenticate(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    String token = header != null && header.startsWith("Bearer ") ? header.substring(7) : request.getParam("access_token");
    if (token == null || token.isBlank()) {
      return Future.failedFuture("no token");
    }
    return auth.authenticate(new TokenCredentials(token)).compose(this::caller);
  }

  private Future<Caller> caller(User user) {
    String subject = user.principal().getString("sub", user.attributes().getString("sub"));
    if (subject == null || (!user.principal().containsKey("exp") && !user.attributes().containsKey("exp"))) {
      return Future.failedFuture("token without subject or expiry");
    }
    JsonArray roles = user.principal().getJsonArray("roles", new JsonArray());
    return Future.succeededFuture(new Caller(subject, roles.stream().map(String::valueOf).toList()));
  }

  /** The service's own origin (the page it serves) or one of the configured origins. */
  private boolean originAllowed(String origin, String host) {
    if (allowedOrigins.contains(origin)) {
      return true;
    }
    try {
      URI uri = URI.create(origin);
      String originHost = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
      return host != null && host.equalsIgnoreCase(originHost);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Integer parseAfter(String after) {
    if (after == null || after.isBlank()) {
      return null;
    }
    try {
      return Integer.parseInt(after);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean validOrderId(String orderId) {
    try {
      java.util.UUID.fromString(orderId);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
