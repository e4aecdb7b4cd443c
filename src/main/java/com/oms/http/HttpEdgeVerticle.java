package com.oms.http;

import com.oms.config.OmsConfig;
import com.oms.tracking.TrackingHub;
import com.oms.tracking.TrackingRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

/**
 * The public edge: the API routed and validated from openapi.yaml, bearer-token auth, problem responses,
 * health, metrics and the contract itself. It talks to the domains only over the event bus.
 */
public final class HttpEdgeVerticle extends VerticleBase {

  public static final String CONTRACT = "openapi.yaml";
  private static final long HEALTH_TIMEOUT_MS = 2_000;

  private final OmsConfig config;
  private final Pool pool;
  private final Redis redis;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  private final TrackingHub hub;
  private final java.time.Clock clock;

  /** {@code tlsKeys}: the certificate and key to serve HTTPS with, or null for plain HTTP. */
  public HttpEdgeVerticle(OmsConfig config, Pool pool, Redis redis, PrometheusMeterRegistry registry, TrackingHub hub,
                          java.time.Clock clock, io.vertx.core.net.KeyCertOptions tlsKeys) {
    this.tlsKeys = tlsKeys;
    this.config = config;
    this.hub = hub;
    this.clock = clock;
    this.pool = pool;
    this.redis = redis;
    this.registry = registry;
  }

  private final io.vertx.core.net.KeyCertOptions tlsKeys;

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Future<OpenAPIContract> contract = OpenAPIContract.from(vertx, CONTRACT);
    Future<String> contractText = vertx.fileSystem().readFile(CONTRACT).map(Object::toString);
    return Future.all(contract, contractText).compose(loaded -> {
      Router router = apiRouter(new CompiledContract(contract.result()));
      mountOperations(router, contractText.result());
      HttpServerOptions options = new HttpServerOptions()
        .setPort(config.http().port())
        .setHost(config.http().host())
        .setCompressionSupported(true);
      if (tlsKeys != null) {
        // h2 and http/1.1 offered by ALPN; BoringSSL through netty-tcnative does the TLS
        options.setSsl(true).setUseAlpn(true).setKeyCertOptions(tlsKeys)
          .setSslEngineOptions(new io.vertx.core.net.OpenSSLEngineOptions());
      }
      return vertx.createHttpServer(options).requestHandler(router)
        .invalidRequestHandler(ProblemResponses::invalidRequest).listen();
    }).onSuccess(listening -> server = listening);
  }

  private Router apiRouter(OpenAPIContract contract) {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.rootHandler(new RequestLog());
    int maxInFlight = config.http().maxInFlight();
    if (maxInFlight > 0) {
      int instances = config.instances(config.http().instances());
      builder.rootHandler(new AdmissionLimit(Math.max(1, (maxInFlight + instances - 1) / instances)));
    }
    builder.rootHandler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()));
    JWTAuth jwt = jwtAuth();
    builder.security("bearerAuth").httpHandler(JWTAuthHandler.create(jwt));
    // validated on the event loop, first of each operation's handlers (after authentication)
    InlineValidation.Checks checks = new InlineValidation.Checks(vertx, contract);
    builder.getRoutes().forEach(route -> route.setDoValidation(false)
      .addHandler(new InlineValidation(checks, route.getOperation())));
    OmsConfig.RateLimit limits = config.http().rateLimit();
    if (limits.enabled()) {
      // after authentication (the bucket is the caller's), before the operation's own handler
      builder.getRoutes().forEach(route -> {
        String operation = route.getOperation().getOperationId();
        route.addHandler(new RateLimiter(redis, config.redis().keyPrefix(), operation, limits.bucket(operation),
          limits.exemptRoles(), clock));
      });
    }
    new ApiRoutes(vertx.eventBus(), config.bus().requestTimeout()).mount(builder);
    Router router = builder.createRouter();
    new TrackingRoutes(vertx, hub, jwt, config.tracking().allowedOrigins(), config.tracking().writeQueueMaxBytes(),
      config.tracking().slowClientTimeout(), config.tracking().pingInterval(), config.bus().requestTimeout(), clock)
      .mount(router);
    router.route().failureHandler(ProblemResponses::handleFailure);
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, ProblemResponses::handleFailure);
    }
    return router;
  }

  private JWTAuth jwtAuth() {
    JWTAuthOptions options = new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.auth().jwtSecret()));
    options.getJWTOptions().setIssuer(config.auth().issuer());
    return JWTAuth.create(vertx, options);
  }

  private void mountOperations(Router router, String contract) {
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/yaml; charset=utf-8")
      .end(contract));
    router.get("/health/live").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("status", "UP").encode()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness()));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }

  /** Ready means both stores answer a real command now. */
  private HealthChecks readiness() {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("postgres", HEALTH_TIMEOUT_MS, promise -> pool.query("SELECT 1").execute()
      .onSuccess(rows -> promise.complete(Status.OK()))
      .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("error", failure.getMessage())))));
    checks.register("redis", HEALTH_TIMEOUT_MS, promise -> redis.send(Request.cmd(Command.PING))
      .onSuccess(pong -> promise.complete(Status.OK()))
      .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("error", failure.getMessage())))));
    return checks;
  }
}
