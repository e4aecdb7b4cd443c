package com.oms.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** Typed configuration, read once at start-up from conf/application.yaml plus environment overrides. */
public record OmsConfig(Http http, Postgres postgres, Redis redis, Auth auth, Bus bus, Order order,
                        Inventory inventory, Payment payment, Delivery delivery, Notification notification,
                        Tracking tracking, Simulation simulation, Cluster cluster, Dev dev, JsonObject raw) {

  /** Several instances on one clustered event bus (Hazelcast), sharing Postgres and Redis. */
  public record Cluster(boolean enabled, String name, String host, int port, java.util.List<String> members,
                        Duration failureDetection) {
  }

  /**
   * The simulated world for load tests: partners whose id starts with {@code partnerPrefix} pick up and
   * deliver what they are assigned on their own. Off unless configured; real partners are never driven.
   */
  public record Simulation(boolean partners, String partnerPrefix, Duration pickupAfter, Duration deliverAfter) {
  }

  public record Tracking(java.util.List<String> allowedOrigins, int writeQueueMaxBytes, Duration slowClientTimeout,
                         Duration pingInterval) {
  }

  /** A token bucket: {@code perSecond} requests on average, {@code burst} at once. */
  public record Bucket(double perSecond, int burst) {
  }

  /**
   * Rate limits per client and operation: {@code defaults} for every operation, {@code operations} by
   * operationId where they differ.
   */
  public record RateLimit(boolean enabled, Bucket defaults, java.util.Map<String, Bucket> operations,
                          java.util.List<String> exemptRoles) {
    public Bucket bucket(String operationId) {
      return operations.getOrDefault(operationId, defaults);
    }
  }

  /** HTTPS through OpenSSL with HTTP/2 by ALPN; without a certificate, a self-signed one when allowed. */
  public record Tls(boolean enabled, String certPath, String keyPath, boolean selfSigned) {
  }

  public record Http(int port, String host, int instances, long maxBodyBytes, int maxInFlight, Tls tls,
                     RateLimit rateLimit) {
  }

  /**
   * {@code groupCommitStatements}: write statements committed together at most; {@code groupCommitsInFlight}:
   * groups written at once (0: no grouping, each write its own commit); {@code groupCommitOverlapAfter}:
   * statements waiting before another group starts while one is being written.
   */
  public record Postgres(String url, int poolSize, int maxWaitQueue, Duration connectTimeout, int groupCommitStatements,
                         int groupCommitsInFlight, int groupCommitOverlapAfter, String socketDirectory) {
    public boolean embedded() {
      return url == null || url.isBlank();
    }
  }

  public record Redis(String url, String keyPrefix, int poolSize, int maxWaitingHandlers) {
    public boolean embedded() {
      return url == null || url.isBlank();
    }
  }

  public record Auth(String jwtSecret, String issuer, Duration tokenTtl) {
  }

  public record Bus(Duration requestTimeout) {
  }

  public record Order(Duration expireAfter, Duration expiryScanInterval, int expiryBatchSize,
                      Duration sweepInterval, Duration stallAfter, int sweepBatchSize, int instances,
                      Duration paymentWindow, int maxLines, Duration idempotencyKeyTtl, int maxUnpaidPerCustomer) {
  }

  public record Inventory(Duration reconcileInterval, Duration lossCheckInterval) {
  }

  public record Payment(String gatewayUrl, int simulatorPort, String gatewayApiKey, Duration gatewayTimeout,
                        Duration webhookDelay, int breakerMaxFailures, Duration breakerReset, JsonObject providers) {

    public JsonObject provider(String method) {
      JsonObject settings = providers.getJsonObject(method);
      return settings == null ? new JsonObject() : settings;
    }

    public boolean simulated() {
      return gatewayUrl == null || gatewayUrl.isBlank();
    }
  }

  public record Delivery(int partnerCapacity, Duration assignmentLeadTime, Duration pickupHorizon,
                         Duration delayNoticeAfter, Duration delayNoticeEvery, Duration giveUpAfter,
                         Duration pickupTimeout, Duration lateAfter, Duration expectedTransit,
                         Duration locationSyncInterval, double maxDistanceKm) {
  }

  public record Notification(Duration relayInterval, int relayBatchSize, int maxSendsInFlight, String emailFrom,
                             String smtpHost, int smtpPort, int maxAttempts, Duration retryBase,
                             java.util.List<String> defaultChannels,
                             java.util.Map<String, java.util.List<String>> eventChannels, String smsUrl, String pushUrl,
                             String providerApiKey, Duration providerTimeout) {

    public boolean simulatedMessaging() {
      return smsUrl == null || smsUrl.isBlank() || pushUrl == null || pushUrl.isBlank();
    }

    public boolean embeddedSmtp() {
      return smtpHost == null || smtpHost.isBlank();
    }
  }

  public record Dev(String dataDir, boolean seed, int postgresPort, int redisPort) {
  }

  public static OmsConfig fromJson(JsonObject json) {
    JsonObject http = section(json, "http");
    JsonObject pg = section(json, "postgres");
    JsonObject redis = section(json, "redis");
    JsonObject auth = section(json, "auth");
    JsonObject bus = section(json, "bus");
    JsonObject order = section(json, "order");
    JsonObject inventory = section(json, "inventory");
    JsonObject payment = section(json, "payment");
    JsonObject delivery = section(json, "delivery");
    JsonObject notification = section(json, "notification");
    JsonObject dev = section(json, "dev");
    JsonObject tracking = section(json, "tracking");
    JsonObject simulation = section(json, "simulation");
    JsonObject cluster = section(json, "cluster");
    return new OmsConfig(
      new Http(http.getInteger("port", 8080), http.getString("host", "0.0.0.0"), http.getInteger("instances", 0),
        http.getLong("maxBodyBytes", 65536L), http.getInteger("maxInFlight", 128),
        new Tls(section(http, "tls").getBoolean("enabled", false), section(http, "tls").getString("certPath", ""),
          section(http, "tls").getString("keyPath", ""), section(http, "tls").getBoolean("selfSigned", false)),
        rateLimit(section(http, "rateLimit"))),
      new Postgres(pg.getString("url", ""), pg.getInteger("poolSize", 16), pg.getInteger("maxWaitQueue", 1024),
        duration(pg, "connectTimeout", "PT5S"), pg.getInteger("groupCommitStatements", 64),
        pg.getInteger("groupCommitsInFlight", 2), pg.getInteger("groupCommitOverlapAfter", 8),
        pg.getString("socketDirectory", "")),
      new Redis(redis.getString("url", ""), redis.getString("keyPrefix", "oms"), redis.getInteger("poolSize", 16),
        redis.getInteger("maxWaitingHandlers", 4096)),
      new Auth(auth.getString("jwtSecret"), auth.getString("issuer", "oms"), duration(auth, "tokenTtl", "PT12H")),
      new Bus(duration(bus, "requestTimeout", "PT5S")),
      new Order(duration(order, "expireAfter", "PT48H"), duration(order, "expiryScanInterval", "PT30S"),
        order.getInteger("expiryBatchSize", 500), duration(order, "sweepInterval", "PT5S"),
        duration(order, "stallAfter", "PT10S"), order.getInteger("sweepBatchSize", 200),
        order.getInteger("instances", 0), duration(order, "paymentWindow", "PT15M"), order.getInteger("maxLines", 50),
        duration(order, "idempotencyKeyTtl", "PT24H"), order.getInteger("maxUnpaidPerCustomer", 5)),
      new Inventory(duration(inventory, "reconcileInterval", "PT60S"), duration(inventory, "lossCheckInterval", "PT1S")),
      new Payment(payment.getString("gatewayUrl", ""), payment.getInteger("simulatorPort", 0),
        payment.getString("gatewayApiKey", "sk_test_oms_dev"), duration(payment, "gatewayTimeout", "PT4S"),
        duration(payment, "webhookDelay", "PT0.2S"), payment.getInteger("breakerMaxFailures", 5),
        duration(payment, "breakerReset", "PT30S"), section(payment, "providers")),
      new Delivery(delivery.getInteger("partnerCapacity", 1), duration(delivery, "assignmentLeadTime", "PT30M"),
        duration(delivery, "pickupHorizon", "PT72H"), duration(delivery, "delayNoticeAfter", "PT10M"),
        duration(delivery, "delayNoticeEvery", "PT10M"), duration(delivery, "giveUpAfter", "PT60M"),
        duration(delivery, "pickupTimeout", "PT20M"), duration(delivery, "lateAfter", "PT10M"),
        duration(delivery, "expectedTransit", "PT45M"), duration(delivery, "locationSyncInterval", "PT60S"),
        delivery.getDouble("maxDistanceKm", 15.0)),
      new Notification(duration(notification, "relayInterval", "PT0.2S"), notification.getInteger("relayBatchSize", 100),
        notification.getInteger("maxSendsInFlight", 1000),
        notification.getString("emailFrom", "OMS <orders@oms.local>"), notification.getString("smtpHost", ""),
        notification.getInteger("smtpPort", 0), notification.getInteger("maxAttempts", 8),
        duration(notification, "retryBase", "PT2S"),
        notification.getJsonArray("defaultChannels", new io.vertx.core.json.JsonArray().add("EMAIL").add("SMS").add("PUSH"))
          .stream().map(String::valueOf).toList(),
        eventChannels(notification.getJsonObject("eventChannels", PROGRESS_BY_PUSH)),
        notification.getString("smsUrl", ""), notification.getString("pushUrl", ""),
        notification.getString("providerApiKey", "sk_test_messaging_dev"), duration(notification, "providerTimeout", "PT3S")),
      new Tracking(tracking.getJsonArray("allowedOrigins", new io.vertx.core.json.JsonArray()).stream().map(String::valueOf).toList(),
        tracking.getInteger("writeQueueMaxBytes", 65536), duration(tracking, "slowClientTimeout", "PT10S"),
        duration(tracking, "pingInterval", "PT20S")),
      new Simulation(simulation.getBoolean("partners", false), simulation.getString("partnerPrefix", "sim-"),
        duration(simulation, "pickupAfter", "PT2S"), duration(simulation, "deliverAfter", "PT5S")),
      new Cluster(cluster.getBoolean("enabled", false), cluster.getString("name", "oms"),
        cluster.getString("host", "127.0.0.1"), cluster.getInteger("port", 5701),
        cluster.getJsonArray("members", new io.vertx.core.json.JsonArray()).stream().map(String::valueOf).toList(),
        duration(cluster, "failureDetection", "PT10S")),
      new Dev(dev.getString("dataDir", ".oms-dev"), dev.getBoolean("seed", true), dev.getInteger("postgresPort", 0),
        dev.getInteger("redisPort", 0)),
      json);
  }

  private static RateLimit rateLimit(JsonObject json) {
    java.util.Map<String, Bucket> operations = new java.util.HashMap<>();
    section(json, "operations").forEach(entry -> operations.put(entry.getKey(), bucket((JsonObject) entry.getValue())));
    return new RateLimit(json.getBoolean("enabled", true), bucket(section(json, "defaults")), operations,
      json.getJsonArray("exemptRoles", new io.vertx.core.json.JsonArray().add("admin")).stream().map(String::valueOf).toList());
  }

  private static Bucket bucket(JsonObject json) {
    return new Bucket(json.getDouble("perSecond", 20.0), json.getInteger("burst", 40));
  }

  /** Progress notices reach the customer by push (and the live feed), not by email or SMS. */
  private static final JsonObject PROGRESS_BY_PUSH = new JsonObject()
    .put("PARTNER_ASSIGNED", new io.vertx.core.json.JsonArray().add("PUSH"))
    .put("PARTNER_CHANGED", new io.vertx.core.json.JsonArray().add("PUSH"))
    .put("ORDER_PICKED_UP", new io.vertx.core.json.JsonArray().add("PUSH"))
    .put("ORDER_DELIVERED", new io.vertx.core.json.JsonArray().add("PUSH"));

  /** Per notice type its channels, each a list or one comma-separated string. */
  private static java.util.Map<String, java.util.List<String>> eventChannels(JsonObject json) {
    java.util.Map<String, java.util.List<String>> channels = new java.util.TreeMap<>();
    json.forEach(entry -> channels.put(entry.getKey(), (entry.getValue() instanceof io.vertx.core.json.JsonArray list
      ? list : ConfigLoader.commaList(String.valueOf(entry.getValue()))).stream().map(String::valueOf).toList()));
    return java.util.Map.copyOf(channels);
  }

  private static JsonObject section(JsonObject json, String name) {
    JsonObject section = json.getJsonObject(name);
    return section == null ? new JsonObject() : section;
  }

  private static Duration duration(JsonObject json, String key, String fallback) {
    Object value = json.getValue(key, fallback);
    return Duration.parse(String.valueOf(value));
  }

  /**
   * Event-loop threads: {@code vertx.eventLoops}, or one per two cores. An order crosses the event bus
   * between domains some thirty times, and each crossing to another event loop wakes a thread: on 2 cores
   * shared with Postgres, one event loop took 25% of the machine at 250 orders/s with p99 127 ms, Vert.x's
   * default of four took 30% with p99 240-300 ms, and accepted 339/s at saturation against 453/s.
   */
  public static int eventLoops(JsonObject raw) {
    int configured = section(raw, "vertx").getInteger("eventLoops", 0);
    return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /**
   * Order verticle instances (saga orchestrators): {@code order.instances}, or one per two cores. Each
   * batches its orders' transitions; on two cores one instance had the lower tails (p99 48-52 ms against
   * 62-96 ms at 250 orders/s).
   */
  public int orderInstances() {
    return order.instances() > 0 ? order.instances() : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /** Instances of a verticle deployed once per event loop unless {@code configured} says otherwise. */
  public int instances(int configured) {
    return configured > 0 ? configured : eventLoops(raw);
  }
}
