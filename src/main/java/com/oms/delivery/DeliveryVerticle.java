package com.oms.delivery;

import static com.oms.bus.Addresses.*;
import static com.oms.bus.Replies.replying;

import com.oms.bus.AssignOutcome;
import com.oms.bus.AssignRequest;
import com.oms.bus.BusMessage;
import com.oms.bus.Caller;
import com.oms.bus.DeliveryProgress;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.support.GroupCommit;
import com.oms.support.SqlStatements;
import com.oms.support.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Owns partners and deliveries: who carries which order, and the partner's reports of progress. */
public final class DeliveryVerticle extends VerticleBase {

  /** How many finished deliveries a partner's list shows after all those still to be carried. */
  private static final int FINISHED_DELIVERIES_LISTED = 100;

  private final Pool pool;
  private final GroupCommit.Writes writes;
  private final Redis redis;
  private final String keyPrefix;
  private final Duration locationSyncInterval;
  private final double maxDistanceKm;
  private final Clock clock;
  private final int partnerCapacity;
  private final DeliveryOptions busOptions;
  private final SqlStatements sql = SqlStatements.load("sql/deliveries.sql");

  public DeliveryVerticle(Pool pool, GroupCommit.Writes writes, Redis redis, String keyPrefix, Clock clock,
                          int partnerCapacity, Duration requestTimeout, Duration locationSyncInterval, double maxDistanceKm) {
    this.pool = pool;
    this.writes = writes;
    this.maxDistanceKm = maxDistanceKm;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.locationSyncInterval = locationSyncInterval;
    this.clock = clock;
    this.partnerCapacity = partnerCapacity;
    this.busOptions = new DeliveryOptions().setSendTimeout(requestTimeout.toMillis());
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    bus.<Object>consumer(DELIVERY_ASSIGN, replying(this::assign));
    bus.<JsonObject>consumer(DELIVERY_CANCEL, replying(this::cancel));
    bus.<JsonObject>consumer(DELIVERY_REGISTER_PARTNER, replying(this::registerPartner));
    bus.<JsonObject>consumer(DELIVERY_SET_AVAILABILITY, replying(this::setAvailability));
    bus.<JsonObject>consumer(DELIVERY_PARTNER_DELIVERIES, replying(this::partnerDeliveries));
    bus.<JsonObject>consumer(DELIVERY_REPORT_STATUS, replying(this::reportStatus));
    bus.<JsonObject>consumer(DELIVERY_RELEASE, replying(this::release));
    bus.<JsonObject>consumer(DELIVERY_DECLINE, replying(this::decline));
    bus.<JsonObject>consumer(DELIVERY_LOCATION, replying(this::location));
    return Future.succeededFuture();
  }

  /**
   * Assigns a partner, once per order (and again after a release). A first assignment is one statement.
   * When it assigns nobody, because the order has a delivery already (the primary key refuses a second)
   * or no partner was free, the locked path decides: the delivery row is locked while the choice is made,
   * so two assignments of one order queue.
   */
  private Future<AssignOutcome> assign(Message<Object> message) {
    AssignRequest request = BusMessage.fromJson(message.body(), AssignRequest.class);
    UUID orderId = UUID.fromString(request.orderId());
    OffsetDateTime expected = request.expectedPickupAt() == null ? null
      : Times.utc(java.time.Instant.parse(request.expectedPickupAt()));
    Tuple first = Tuple.tuple().addValue(orderId).addValue(request.storeLat()).addValue(request.storeLon())
      .addValue(Times.now(clock)).addValue(request.storeId()).addValue(new JsonObject(request.dropoff()).copy())
      .addValue(expected).addValue(maxDistanceKm);
    return writes.execute(sql.get("assign"), first)
      .compose(taken -> taken.size() > 0 ? Future.succeededFuture(outcome(taken)) : assignLocked(request, orderId, expected))
      .recover(failure -> hasSqlState(failure, "23505")
        ? assignLocked(request, orderId, expected) // the order has a delivery already
        : Future.failedFuture(failure))
      .recover(failure -> {
        if (hasSqlState(failure, "23505")) {
          // assigned concurrently by another step or instance: answer that assignment
          return findDelivery(orderId).map(this::existingAssignment);
        }
        if (hasSqlState(failure, "23514")) {
          // the capacity check refused a partner filled up meanwhile: try again later
          return Future.succeededFuture(new AssignOutcome(false, null));
        }
        return Future.failedFuture(failure);
      });
  }

  /** Under the delivery's row lock: its assignment, another after a release, or none when nobody was free. */
  private Future<AssignOutcome> assignLocked(AssignRequest request, UUID orderId, OffsetDateTime expected) {
    return pool.withTransaction(conn -> conn.preparedQuery(sql.get("lock-delivery")).execute(Tuple.of(orderId))
      .compose(rows -> {
        Row existing = rows.size() == 0 ? null : rows.iterator().next();
        if (existing == null) {
          return Future.succeededFuture(new AssignOutcome(false, null)); // no partner was free
        }
        if (!"RELEASED".equals(existing.getString("status"))) {
          return Future.succeededFuture(existingAssignment(existing));
        }
        return conn.preparedQuery(sql.get("assign-again")).execute(Tuple.of(orderId, request.storeLat(),
          request.storeLon(), Times.now(clock), expected, maxDistanceKm)).map(DeliveryVerticle::outcome);
      }));
  }

  private static AssignOutcome outcome(io.vertx.sqlclient.RowSet<Row> taken) {
    return taken.size() == 0
      ? new AssignOutcome(false, null)
      : new AssignOutcome(true, taken.iterator().next().getString("partner_id"));
  }

  /** Frees the partner of an order (declined, missed pickup, rescheduled); once, whatever is repeated. */
  private Future<JsonObject> release(Message<JsonObject> message) {
    JsonObject body = message.body();
    Tuple params = Tuple.of(UUID.fromString(body.getString("orderId")), body.getString("partnerId"), Times.now(clock),
      body.getString("outcome"));
    return writes.execute(sql.get("release"), params)
      .map(rows -> new JsonObject().put("released", rows.size() > 0));
  }

  /** The assigned partner turns the order down before pickup; the order domain finds the next partner. */
  private Future<JsonObject> decline(Message<JsonObject> message) {
    Caller caller = Caller.fromJson(message.body().getJsonObject("caller"));
    UUID orderId = UUID.fromString(message.body().getString("orderId"));
    return findDelivery(orderId).compose(delivery -> {
      if (delivery == null || !delivery.getString("partner_id").equals(caller.subject())
        || "RELEASED".equals(delivery.getString("status")) || "CANCELLED".equals(delivery.getString("status"))) {
        return Future.failedFuture(new Problem(ProblemType.NOT_ASSIGNED, "order " + orderId + " is not assigned to you"));
      }
      if (!"ASSIGNED".equals(delivery.getString("status"))) {
        return Future.failedFuture(new Problem(ProblemType.INVALID_TRANSITION,
          "order " + orderId + " is already " + delivery.getString("status") + "; it can no longer be declined")
          .with("status", delivery.getString("status")));
      }
      JsonObject release = new JsonObject().put("orderId", orderId.toString()).put("partnerId", caller.subject())
        .put("outcome", "DECLINED");
      return vertx.eventBus().<JsonObject>request(ORDER_RELEASE_PARTNER, release, busOptions)
        .compose(v -> findDelivery(orderId))
        .map(row -> deliveryJson(row).put("status", "DECLINED").put("partnerId", caller.subject()));
    });
  }

  /**
   * Where a partner is now: kept in Redis (not a database row per report), published for the live feed of
   * each order the partner carries, and copied to Postgres, where assignment reads it, at most once per
   * sync interval.
   */
  private Future<JsonObject> location(Message<JsonObject> message) {
    JsonObject body = message.body();
    String partnerId = body.getString("partnerId");
    double lat = body.getDouble("lat");
    double lon = body.getDouble("lon");
    String at = Times.now(clock).toInstant().toString();
    String key = keyPrefix + ":delivery:v1:partner:" + partnerId;
    List<Request> redisWrites = List.of(
      Request.cmd(Command.HSET).arg(key + ":location").arg("lat").arg(lat).arg("lon").arg(lon).arg("at").arg(at),
      Request.cmd(Command.SET).arg(key + ":synced").arg("1").arg("NX").arg("PX").arg(locationSyncInterval.toMillis()));
    return findPartner(partnerId).compose(partner -> partner == null
        ? Future.failedFuture(Problem.notFound("no partner '" + partnerId + "'"))
        : redis.batch(redisWrites))
      .compose(replies -> {
        boolean syncNow = replies.get(1) != null;
        Future<?> synced = syncNow
          ? writes.execute(sql.get("sync-partner-location"), Tuple.of(partnerId, lat, lon, Times.now(clock)))
          : Future.succeededFuture();
        return synced.compose(v -> pool.preparedQuery(sql.get("active-orders-of-partner")).execute(Tuple.of(partnerId)));
      })
      .map(rows -> {
        JsonArray orders = new JsonArray();
        rows.forEach(row -> {
          String orderId = row.getUUID("order_id").toString();
          orders.add(orderId);
          vertx.eventBus().publish(DELIVERY_PARTNER_MOVED, new JsonObject().put("partnerId", partnerId)
            .put("orderId", orderId).put("lat", lat).put("lon", lon).put("at", at));
        });
        return new JsonObject().put("partnerId", partnerId).put("orderIds", orders)
          .put("location", new JsonObject().put("lat", lat).put("lon", lon)).put("at", at);
      });
  }

  private AssignOutcome existingAssignment(Row delivery) {
    boolean active = !"CANCELLED".equals(delivery.getString("status"));
    return new AssignOutcome(active, active ? delivery.getString("partner_id") : null);
  }

  private Future<JsonObject> cancel(Message<JsonObject> message) {
    UUID orderId = UUID.fromString(message.body().getString("orderId"));
    return writes.execute(sql.get("cancel-delivery"), Tuple.of(orderId, Times.now(clock)))
      .map(rows -> new JsonObject().put("orderId", orderId.toString()));
  }

  private Future<JsonObject> registerPartner(Message<JsonObject> message) {
    JsonObject body = message.body();
    String partnerId = body.getString("partnerId");
    Tuple params = Tuple.of(partnerId, body.getString("name"), body.getString("phone"), partnerCapacity,
      Times.now(clock));
    return pool.preparedQuery(sql.get("register-partner")).execute(params).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(new JsonObject().put("created", true).put("partner", partnerJson(rows.iterator().next())));
      }
      return findPartner(partnerId).compose(existing -> {
        boolean same = existing.getString("name").equals(body.getString("name"))
          && existing.getString("phone").equals(body.getString("phone"));
        return same
          ? Future.succeededFuture(new JsonObject().put("created", false).put("partner", partnerJson(existing)))
          : Future.failedFuture(new Problem(ProblemType.PARTNER_EXISTS,
            "partner '" + partnerId + "' is already registered with other details"));
      });
    });
  }

  private Future<JsonObject> setAvailability(Message<JsonObject> message) {
    JsonObject body = message.body();
    String partnerId = body.getString("partnerId");
    JsonObject location = body.getJsonObject("location");
    Tuple params = Tuple.of(partnerId, body.getBoolean("available"),
      location == null ? null : location.getDouble("lat"),
      location == null ? null : location.getDouble("lon"),
      Times.now(clock));
    return pool.preparedQuery(sql.get("set-availability")).execute(params).compose(rows -> rows.size() == 0
      ? Future.failedFuture(Problem.notFound("no partner '" + partnerId + "'"))
      : Future.succeededFuture(partnerJson(rows.iterator().next())));
  }

  private Future<JsonObject> partnerDeliveries(Message<JsonObject> message) {
    String partnerId = message.body().getString("partnerId");
    return findPartner(partnerId).compose(partner -> {
      if (partner == null) {
        return Future.failedFuture(Problem.notFound("no partner '" + partnerId + "'"));
      }
      return pool.preparedQuery(sql.get("partner-deliveries")).execute(Tuple.of(partnerId, FINISHED_DELIVERIES_LISTED))
        .map(rows -> {
          JsonArray deliveries = new JsonArray();
          rows.forEach(row -> deliveries.add(deliveryJson(row)));
          return new JsonObject().put("partnerId", partnerId).put("deliveries", deliveries);
        });
    });
  }

  /**
   * The assigned partner reports a step. The order domain decides whether the step is allowed (and takes
   * the stock off the shelf at pickup); only then is the delivery record moved on.
   */
  private Future<JsonObject> reportStatus(Message<JsonObject> message) {
    JsonObject body = message.body();
    Caller caller = Caller.fromJson(body.getJsonObject("caller"));
    UUID orderId = UUID.fromString(body.getString("orderId"));
    String status = body.getString("status");
    return findDelivery(orderId).compose(delivery -> {
      if (delivery == null || !delivery.getString("partner_id").equals(caller.subject())
        || "CANCELLED".equals(delivery.getString("status")) || "RELEASED".equals(delivery.getString("status"))) {
        return Future.failedFuture(new Problem(ProblemType.NOT_ASSIGNED,
          "order " + orderId + " is not assigned to you"));
      }
      DeliveryProgress progress = new DeliveryProgress(orderId.toString(), caller.subject(), status);
      return vertx.eventBus().<JsonObject>request(ORDER_DELIVERY_PROGRESS, progress, busOptions)
        .compose(orderMoved -> {
          String statement = "PICKED_UP".equals(status) ? "mark-picked-up" : "mark-delivered";
          return writes.execute(sql.get(statement), Tuple.of(orderId, caller.subject(), Times.now(clock)));
        })
        .compose(v -> findDelivery(orderId))
        .map(DeliveryVerticle::deliveryJson);
    });
  }

  private Future<Row> findDelivery(UUID orderId) {
    return pool.preparedQuery(sql.get("find-delivery")).execute(Tuple.of(orderId))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private Future<Row> findPartner(String partnerId) {
    return pool.preparedQuery(sql.get("find-partner")).execute(Tuple.of(partnerId))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private static JsonObject partnerJson(Row row) {
    Double lat = row.getDouble("lat");
    Double lon = row.getDouble("lon");
    return new JsonObject()
      .put("partnerId", row.getString("partner_id"))
      .put("name", row.getString("name"))
      .put("phone", row.getString("phone"))
      .put("available", row.getBoolean("available"))
      .put("location", lat == null ? null : new JsonObject().put("lat", lat).put("lon", lon))
      .put("activeDeliveries", row.getInteger("active_deliveries"))
      .put("capacity", row.getInteger("capacity"));
  }

  private static JsonObject deliveryJson(Row row) {
    JsonObject dropoff = (JsonObject) row.getJson("dropoff");
    return new JsonObject()
      .put("orderId", row.getUUID("order_id").toString())
      .put("partnerId", row.getString("partner_id"))
      .put("status", row.getString("status"))
      .put("storeId", row.getString("store_id"))
      .put("pickupLocation", new JsonObject().put("lat", row.getDouble("pickup_lat")).put("lon", row.getDouble("pickup_lon")))
      .put("dropoff", new JsonObject().put("address", dropoff.getString("address")).put("location", dropoff.getJsonObject("location")))
      .put("assignedAt", Times.iso(row.getOffsetDateTime("assigned_at")))
      .put("expectedPickupAt", Times.iso(row.getOffsetDateTime("expected_pickup_at")))
      .put("pickedUpAt", Times.iso(row.getOffsetDateTime("picked_up_at")))
      .put("deliveredAt", Times.iso(row.getOffsetDateTime("delivered_at")));
  }

  private static boolean hasSqlState(Throwable failure, String sqlState) {
    return failure instanceof PgException pg && sqlState.equals(pg.getSqlState());
  }
}
