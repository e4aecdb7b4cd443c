package com.oms;

import com.oms.bus.RecordCodec;
import com.oms.config.OmsConfig;
import com.oms.delivery.DeliveryVerticle;
import com.oms.dev.GatewaySimulatorVerticle;
import com.oms.dev.MessagingSimulatorVerticle;
import com.oms.dev.PartnerSimulatorVerticle;
import com.oms.notification.HttpMessagingProvider;
import com.oms.notification.push.PushChannel;
import com.oms.notification.sms.SmsChannel;
import com.oms.expiry.ExpiryScannerVerticle;
import com.oms.http.HttpEdgeVerticle;
import com.oms.inventory.InventoryVerticle;
import com.oms.notification.Channel;
import com.oms.notification.NotificationVerticle;
import com.oms.notification.email.EmailChannel;
import com.oms.order.OrderVerticle;
import com.oms.order.SagaSweeperVerticle;
import com.oms.payment.PaymentProvider;
import com.oms.payment.PaymentVerticle;
import com.oms.payment.PaymentProviderFactory;
import com.oms.payment.ProviderContext;
import com.oms.support.GroupCommit;
import com.oms.support.Migrations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service assembled: clients for Postgres and Redis, migrations, then every verticle. Used by
 * {@link Main} and by the tests, which pass their own configuration and clock.
 */
public final class OmsApplication {

  private static final Logger LOG = LoggerFactory.getLogger(OmsApplication.class);

  /** How long a stop waits for each part to finish (a deployment, a client) before it goes on without it. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Pool pool;
  /** The group commit's own connections, or null when grouping is off. */
  private final Pool writesPool;
  private final GroupCommit.Writes writes;
  /** Writes of rows many orders share: a group commit of their own, one group at a time (see start). */
  private final GroupCommit.Writes sharedRowWrites;
  private final Redis redis;
  private final WebClient webClient;
  private final MailClient mailClient;
  private final List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();
  private int httpPort;
  private GatewaySimulatorVerticle gatewaySimulator;
  private final com.oms.tracking.TrackingHub trackingHub = new com.oms.tracking.TrackingHub();
  private MessagingSimulatorVerticle messagingSimulator;

  private OmsApplication(Vertx vertx, Pool pool, Pool writesPool, GroupCommit.Writes writes,
                         GroupCommit.Writes sharedRowWrites, Redis redis, WebClient webClient, MailClient mailClient) {
    this.vertx = vertx;
    this.pool = pool;
    this.writesPool = writesPool;
    this.writes = writes;
    this.sharedRowWrites = sharedRowWrites;
    this.redis = redis;
    this.webClient = webClient;
    this.mailClient = mailClient;
  }

  /** Starts the service. {@code config}'s Postgres and Redis URLs must name running servers. */
  public static Future<OmsApplication> start(Vertx vertx, OmsConfig config, Clock clock, PrometheusMeterRegistry registry) {
    RecordCodec.registerAll(vertx.eventBus());
    Pool pool = pool(vertx, config.postgres(), config.postgres().poolSize());
    RedisOptions redisOptions = new RedisOptions()
      .setConnectionString(config.redis().url())
      .setMaxPoolSize(config.redis().poolSize())
      .setMaxWaitingHandlers(config.redis().maxWaitingHandlers())
      .setMaxPoolWaiting(config.redis().maxWaitingHandlers());
    redisOptions.getNetClientOptions().setConnectTimeout(2_000);
    Redis redis = Redis.createClient(vertx, redisOptions);
    WebClient webClient = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) config.payment().gatewayTimeout().toMillis()),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    MailClient mailClient = config.notification().embeddedSmtp() ? null : MailClient.create(vertx, new MailConfig()
      .setHostname(config.notification().smtpHost())
      .setPort(config.notification().smtpPort())
      .setStarttls(StartTLSOptions.DISABLED)
      .setKeepAlive(true));

    int groups = config.postgres().groupCommitsInFlight();
    Pool writesPool = groups > 0 ? pool(vertx, config.postgres(), groups + 1) : null;
    GroupCommit.Writes writes = lane(vertx, pool, writesPool, config.postgres(), groups,
      config.postgres().groupCommitOverlapAfter(), registry, "orders");
    // Some rows are written by many orders: a partner's (the count of deliveries they carry) and a SKU's
    // stock level (each delivered order deducts). Two groups written at once that each hold one such row
    // and wait for another's deadlock, and Postgres refuses one only after its deadlock_timeout. The
    // statements that write them (the delivery domain's, and stock deductions) therefore have a lane of
    // their own with one group at a time; the order lane may run several groups at once, its statements
    // touching rows of their own order.
    GroupCommit.Writes sharedRowWrites = lane(vertx, pool, writesPool, config.postgres(), Math.min(groups, 1), 1,
      registry, "shared-rows");
    OmsApplication app = new OmsApplication(vertx, pool, writesPool, writes, sharedRowWrites, redis, webClient,
      mailClient);
    return Migrations.apply(vertx, config.postgres().url())
      .onSuccess(applied -> LOG.info("database schema up to date ({} migrations applied now)", applied))
      .compose(v -> app.deployAll(config, clock, registry))
      .map(v -> app)
      .recover(failure -> app.stop().transform(ar -> Future.failedFuture(failure)));
  }

  /** A group commit on the writes pool with this many groups in flight, or the pool itself when none. */
  private static GroupCommit.Writes lane(Vertx vertx, Pool pool, Pool writesPool, OmsConfig.Postgres settings,
                                         int inFlight, int overlapAfter, MeterRegistry registry, String name) {
    return inFlight > 0
      ? new GroupCommit(vertx, writesPool, settings.groupCommitStatements(), inFlight, overlapAfter, registry, name).writes()
      : GroupCommit.direct(pool);
  }

  /**
   * A pool of connections to Postgres whose sessions plan each prepared statement once (generic plans).
   * By default Postgres plans a statement anew at each execution for as long as the plans made for the
   * values look cheaper, as they always do for the batches (array parameters): under load that was 1.2 ms
   * of planning per order against 1.8 ms of execution. Every statement here is a key lookup, a batch or a
   * scan whose partial index is named by literals in its text, so its plan does not depend on the values.
   */
  private static Pool pool(Vertx vertx, OmsConfig.Postgres settings, int size) {
    PgConnectOptions connect = PgConnectOptions.fromUri(settings.url());
    if (!settings.socketDirectory().isBlank()) {
      if (vertx.isNativeTransportEnabled()) {
        connect.setHost(settings.socketDirectory()); // a path: the client connects to <path>/.s.PGSQL.<port>
      } else {
        LOG.warn("postgres.socketDirectory needs the native transport, which is not available: using TCP");
      }
    }
    connect
      .setCachePreparedStatements(true)
      // every statement is prepared once per connection: the client's default leaves out SQL longer than
      // 2,048 characters, which the transition batch is, so it was parsed and planned at each execution
      .setPreparedStatementCacheSqlLimit(16_384)
      .setPipeliningLimit(256)
      .addProperty("plan_cache_mode", "force_generic_plan");
    return PgBuilder.pool()
      .with(new PoolOptions()
        .setMaxSize(size)
        .setMaxWaitQueueSize(settings.maxWaitQueue())
        .setConnectionTimeout((int) settings.connectTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setShared(false))
      .connectingTo(connect)
      .with(new NetClientOptions().setConnectTimeout((int) settings.connectTimeout().toMillis()))
      .using(vertx)
      .build();
  }

  private Future<Void> deployAll(OmsConfig config, Clock clock, PrometheusMeterRegistry registry) {
    var bus = config.bus();
    return gatewayUrl(config, clock)
      .compose(gatewayUrl -> {
        List<PaymentProvider> providers = paymentProviders(vertx, config, gatewayUrl, clock);
        PaymentVerticle.Settings settings = new PaymentVerticle.Settings(config.payment().breakerMaxFailures(),
          config.payment().breakerReset());
        return deploy(() -> new PaymentVerticle(pool, writes, clock, providers, settings), 1);
      })
      .compose(v -> deploy(() -> new InventoryVerticle(pool, writes, sharedRowWrites, redis, clock, new InventoryVerticle.Settings(
        config.redis().keyPrefix(), config.order().paymentWindow(), config.inventory().reconcileInterval(),
        config.inventory().lossCheckInterval()), registry), 1))
      .compose(v -> deploy(() -> new DeliveryVerticle(pool, sharedRowWrites, redis, config.redis().keyPrefix(), clock,
        config.delivery().partnerCapacity(), bus.requestTimeout(), config.delivery().locationSyncInterval(),
        config.delivery().maxDistanceKm()), 1))
      .compose(v -> messagingUrls(config))
      .compose(urls -> {
        var n = config.notification();
        NotificationVerticle.Settings settings = new NotificationVerticle.Settings(n.relayInterval(), n.relayBatchSize(),
          n.maxSendsInFlight(), n.maxAttempts(), n.retryBase(), n.defaultChannels(), n.eventChannels());
        List<Channel> channels = channels(config, urls);
        return deployNamed("notification", () -> new NotificationVerticle(pool, clock, channels, settings), 1);
      })
      .compose(v -> deploy(OrderVerticle.instances(pool, writes, clock, registry, bus.requestTimeout(), config.order(),
        config.delivery()), config.orderInstances()))
      .compose(v -> deploy(() -> new SagaSweeperVerticle(config.order().sweepInterval(),
        config.order().sweepBatchSize(), bus.requestTimeout()), 1))
      .compose(v -> deploy(() -> new ExpiryScannerVerticle(config.order().expiryScanInterval(),
        config.order().expiryBatchSize(), bus.requestTimeout()), 1))
      .compose(v -> config.simulation().partners()
        ? deploy(() -> new PartnerSimulatorVerticle(config.simulation(), bus.requestTimeout()), 1)
        : Future.succeededFuture())
      .compose(v -> deployEdge(config, registry, clock));
  }

  /** Every provider listed for {@link java.util.ServiceLoader}, each with its settings from the configuration. */
  private List<PaymentProvider> paymentProviders(Vertx vertx, OmsConfig config, String gatewayUrl, Clock clock) {
    List<PaymentProvider> providers = new ArrayList<>();
    for (PaymentProviderFactory factory : java.util.ServiceLoader.load(PaymentProviderFactory.class)) {
      ProviderContext context = new ProviderContext(vertx, webClient, gatewayUrl, config.payment().gatewayApiKey(),
        config.payment().gatewayTimeout(), pool, clock, config.payment().provider(factory.method()));
      providers.add(factory.create(context));
      LOG.info("payment method {} served by {}", factory.method(), factory.getClass().getName());
    }
    return providers;
  }

  /** Edge instances share one port; with port 0, Vert.x gives them all the same free one. */
  private Future<Void> deployEdge(OmsConfig config, PrometheusMeterRegistry registry, Clock clock) {
    trackingHub.start(vertx);
    List<HttpEdgeVerticle> edges = new java.util.concurrent.CopyOnWriteArrayList<>();
    return tlsKeys(config.http().tls()).compose(tlsKeys -> deploy(() -> {
      HttpEdgeVerticle edge = new HttpEdgeVerticle(config, pool, redis, registry, trackingHub, clock, tlsKeys);
      edges.add(edge);
      return edge;
    }, config.instances(config.http().instances())))
      .onSuccess(v -> {
        httpPort = edges.get(0).actualPort();
        if (gatewaySimulator != null) {
          gatewaySimulator.webhookTarget("http://127.0.0.1:" + httpPort);
        }
      });
  }

  /** The certificate to serve HTTPS with: the configured one, a generated self-signed one, or none (plain HTTP). */
  private Future<io.vertx.core.net.KeyCertOptions> tlsKeys(OmsConfig.Tls tls) {
    if (!tls.enabled()) {
      return Future.succeededFuture();
    }
    if (!io.vertx.core.net.OpenSSLEngineOptions.isAvailable()) {
      return Future.failedFuture(new IllegalStateException(
        "http.tls.enabled needs OpenSSL through netty-tcnative, which is not available on this platform"));
    }
    if (!tls.certPath().isBlank()) {
      return Future.succeededFuture(new io.vertx.core.net.PemKeyCertOptions().setCertPath(tls.certPath())
        .setKeyPath(tls.keyPath()));
    }
    if (!tls.selfSigned()) {
      return Future.failedFuture(new IllegalStateException(
        "http.tls.enabled without http.tls.certPath: configure a certificate, or allow http.tls.selfSigned in dev"));
    }
    // key generation is slow: not on an event loop
    return vertx.executeBlocking(() -> {
      io.vertx.core.net.SelfSignedCertificate certificate = io.vertx.core.net.SelfSignedCertificate.create("localhost");
      LOG.warn("serving HTTPS with a self-signed certificate for localhost (dev only)");
      return certificate.keyCertOptions();
    });
  }

  private Future<String> gatewayUrl(OmsConfig config, Clock clock) {
    if (!config.payment().simulated()) {
      return Future.succeededFuture(config.payment().gatewayUrl());
    }
    Map<String, String> secrets = Map.of(
      "upi", config.payment().provider("UPI").getString("webhookSecret", ""),
      "netbanking", config.payment().provider("NET_BANKING").getString("webhookSecret", ""));
    gatewaySimulator = new GatewaySimulatorVerticle(config.payment().simulatorPort(), config.payment().gatewayApiKey(),
      secrets, config.payment().webhookDelay().toMillis(), clock);
    return vertx.deployVerticle(gatewaySimulator).map(id -> {
      deployments.add(id);
      String url = "http://127.0.0.1:" + gatewaySimulator.actualPort();
      LOG.info("payment gateway simulator listening on {}", url);
      return url;
    });
  }

  private Future<String[]> messagingUrls(OmsConfig config) {
    var n = config.notification();
    if (!n.simulatedMessaging()) {
      return Future.succeededFuture(new String[] {n.smsUrl(), n.pushUrl()});
    }
    messagingSimulator = new MessagingSimulatorVerticle(0, n.providerApiKey());
    return vertx.deployVerticle(messagingSimulator).map(id -> {
      deployments.add(id);
      String base = "http://127.0.0.1:" + messagingSimulator.actualPort();
      LOG.info("SMS and push provider simulator listening on {}", base);
      return new String[] {base + "/v1/sms", base + "/v1/push"};
    });
  }

  private List<Channel> channels(OmsConfig config, String[] messagingUrls) {
    var n = config.notification();
    List<Channel> channels = new ArrayList<>();
    if (mailClient == null) {
      LOG.warn("no SMTP server configured: email notifications are not sent");
    } else {
      channels.add(new EmailChannel(mailClient, n.emailFrom()));
    }
    channels.add(new SmsChannel(new HttpMessagingProvider(webClient, messagingUrls[0], n.providerApiKey(), n.providerTimeout())));
    channels.add(new PushChannel(new HttpMessagingProvider(webClient, messagingUrls[1], n.providerApiKey(), n.providerTimeout()), vertx));
    return channels;
  }

  /** Deploys a verticle under a name, so it can be stopped and started again (operations, crash tests). */
  private Future<Void> deployNamed(String name, Supplier<? extends io.vertx.core.Deployable> verticle, int instances) {
    named.put(name, new Named(verticle, instances, null));
    return startVerticle(name);
  }

  private record Named(Supplier<? extends io.vertx.core.Deployable> verticle, int instances, String deploymentId) {
  }

  private final Map<String, Named> named = new java.util.concurrent.ConcurrentHashMap<>();

  /** Undeploys the named verticle (e.g. {@code notification}): as if that part of the process died. */
  public Future<Void> stopVerticle(String name) {
    Named deployed = named.get(name);
    if (deployed == null || deployed.deploymentId() == null) {
      return Future.succeededFuture();
    }
    deployments.remove(deployed.deploymentId());
    named.put(name, new Named(deployed.verticle(), deployed.instances(), null));
    return vertx.undeploy(deployed.deploymentId());
  }

  /** Deploys the named verticle again after {@link #stopVerticle}. */
  public Future<Void> startVerticle(String name) {
    Named stopped = named.get(name);
    return vertx.deployVerticle(stopped.verticle(), new DeploymentOptions().setInstances(stopped.instances())).map(id -> {
      deployments.add(id);
      named.put(name, new Named(stopped.verticle(), stopped.instances(), id));
      return null;
    });
  }

  private Future<Void> deploy(Supplier<? extends io.vertx.core.Deployable> verticle, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances)).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  public int httpPort() {
    return httpPort;
  }

  /** The bundled gateway simulator, or null when a real gateway is configured. */
  public GatewaySimulatorVerticle gatewaySimulator() {
    return gatewaySimulator;
  }

  /** The bundled SMS and push provider simulator, or null when real providers are configured. */
  public MessagingSimulatorVerticle messagingSimulator() {
    return messagingSimulator;
  }

  public Pool pool() {
    return pool;
  }

  /** Where the order path's writes go: the group commit, or the pool when grouping is off. */
  public GroupCommit.Writes writes() {
    return writes;
  }

  public Redis redis() {
    return redis;
  }

  /** Undeploys every verticle, newest first, then closes the clients. */
  public com.oms.tracking.TrackingHub trackingHub() {
    return trackingHub;
  }

  public Future<Void> stop() {
    trackingHub.stop();
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> atMost("undeploying " + id, vertx.undeploy(id)));
    }
    return chain
      .compose(v -> atMost("the Postgres pool", pool.close()))
      .compose(v -> writesPool == null ? Future.succeededFuture() : atMost("the writes pool", writesPool.close()))
      .compose(v -> atMost("Redis", redis.close()))
      .eventually(() -> {
        webClient.close();
        // the mail client's close waits for every connection in use to be given back: one whose server
        // never answers the end of a message would keep it, and the stop, waiting for ever
        return mailClient == null ? Future.succeededFuture() : atMost("the mail client", mailClient.close());
      });
  }

  /** {@code closing}, or after {@link #CLOSE_WAIT} a warning and on with the stop: what is left is closed with Vert.x. */
  private static Future<Void> atMost(String what, Future<Void> closing) {
    return closing.timeout(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).recover(failure -> {
      LOG.warn("stopping: {} did not finish within {} ({}); going on", what, CLOSE_WAIT, failure.getMessage());
      return Future.succeededFuture();
    });
  }
}
