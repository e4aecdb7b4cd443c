package com.oms.notification;

import static com.oms.bus.Addresses.NOTIFICATION_LIST;
import static com.oms.bus.Replies.replying;

import com.oms.support.SqlStatements;
import com.oms.support.Times;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the outbox: every event the order domain committed becomes one notification per channel the
 * customer can be reached on, each sent with retries and recorded in the notification log.
 */
public final class NotificationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationVerticle.class);
  private static final Duration SEND_LEASE = Duration.ofSeconds(60);

  private final Pool pool;
  private final Clock clock;
  private final List<Channel> channels;
  private final Duration relayInterval;
  private final int batchSize;
  private final RetrySchedule retries;
  private final Templates templates = new Templates();
  private final SqlStatements sql = SqlStatements.load("sql/notifications.sql");
  private boolean relaying;

  public NotificationVerticle(Pool pool, Clock clock, List<Channel> channels, Duration relayInterval, int batchSize,
                              int maxAttempts) {
    this.pool = pool;
    this.clock = clock;
    this.channels = channels;
    this.relayInterval = relayInterval;
    this.batchSize = batchSize;
    this.retries = new RetrySchedule(Duration.ofSeconds(2), Duration.ofMinutes(10), maxAttempts,
      RandomGenerator.getDefault());
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(NOTIFICATION_LIST, replying(this::list));
    vertx.setPeriodic(relayInterval.toMillis(), id -> relayOnce());
    return Future.succeededFuture();
  }

  /** One pass: outbox events into notifications, then due notifications out. Passes never overlap. */
  Future<Void> relayOnce() {
    if (relaying) {
      return Future.succeededFuture();
    }
    relaying = true;
    return dispatchOutbox()
      .compose(v -> sendDue())
      .onFailure(failure -> LOG.warn("notification relay pass failed, next pass retries: {}", failure.getMessage()))
      .eventually(() -> {
        relaying = false;
        return Future.succeededFuture();
      });
  }

  private Future<Void> dispatchOutbox() {
    return pool.withTransaction(conn -> {
      OffsetDateTime now = Times.now(clock);
      return conn.preparedQuery(sql.get("claim-outbox")).execute(Tuple.of(batchSize, now)).compose(rows -> {
        List<Tuple> notifications = new ArrayList<>();
        for (Row row : rows) {
          JsonObject payload = (JsonObject) row.getJson("payload");
          for (Channel channel : channels) {
            String recipient = channel.recipient(payload);
            if (recipient != null) {
              notifications.add(Tuple.of(UUID.randomUUID(), row.getUUID("event_id"), row.getUUID("order_id"),
                row.getString("event_type"), channel.name(), recipient, now));
            }
          }
        }
        return insertAll(conn, notifications);
      });
    });
  }

  private Future<Void> insertAll(SqlConnection conn, List<Tuple> notifications) {
    if (notifications.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(sql.get("insert-notification")).executeBatch(notifications).mapEmpty();
  }

  private Future<Void> sendDue() {
    OffsetDateTime now = Times.now(clock);
    Tuple params = Tuple.of(now, batchSize, now.plus(SEND_LEASE));
    return pool.preparedQuery(sql.get("claim-due")).execute(params).compose(rows -> {
      List<Future<Void>> sends = new ArrayList<>();
      rows.forEach(row -> sends.add(send(row)));
      return Future.join(sends).mapEmpty();
    });
  }

  private Future<Void> send(Row row) {
    UUID id = row.getUUID("id");
    String channelName = row.getString("channel");
    Channel channel = channels.stream().filter(c -> c.name().equals(channelName)).findFirst().orElse(null);
    if (channel == null) {
      return markDead(id, "channel " + channelName + " is not configured");
    }
    JsonObject payload = (JsonObject) row.getJson("payload");
    RenderedMessage message = templates.render(channelName, row.getString("event_type"), payload);
    String deduplicationKey = row.getUUID("event_id") + "." + channelName.toLowerCase();
    int attempts = row.getInteger("attempts");
    return channel.send(row.getString("recipient"), message, deduplicationKey)
      .compose(v -> pool.preparedQuery(sql.get("mark-sent")).execute(Tuple.of(id, Times.now(clock))).<Void>mapEmpty())
      .recover(failure -> {
        String error = String.valueOf(failure.getMessage());
        if (retries.exhausted(attempts)) {
          LOG.warn("notification {} ({}) is dead after {} attempts: {}", id, channelName, attempts, error);
          return markDead(id, error);
        }
        OffsetDateTime next = Times.now(clock).plus(retries.delayAfter(attempts));
        return pool.preparedQuery(sql.get("schedule-retry")).execute(Tuple.of(id, next, error)).mapEmpty();
      });
  }

  private Future<Void> markDead(UUID id, String error) {
    return pool.preparedQuery(sql.get("mark-dead")).execute(Tuple.of(id, error)).mapEmpty();
  }

  private Future<JsonObject> list(Message<JsonObject> message) {
    UUID orderId = UUID.fromString(message.body().getString("orderId"));
    return pool.preparedQuery(sql.get("list-for-order")).execute(Tuple.of(orderId)).map(rows -> {
      JsonArray notifications = new JsonArray();
      for (Row row : rows) {
        notifications.add(new JsonObject()
          .put("id", row.getUUID("id").toString())
          .put("event", row.getString("event_type"))
          .put("channel", row.getString("channel"))
          .put("recipient", row.getString("recipient"))
          .put("status", row.getString("status"))
          .put("attempts", row.getInteger("attempts"))
          .put("lastError", row.getString("last_error"))
          .put("createdAt", Times.iso(row.getOffsetDateTime("created_at")))
          .put("sentAt", Times.iso(row.getOffsetDateTime("sent_at"))));
      }
      return new JsonObject().put("orderId", orderId.toString()).put("notifications", notifications);
    });
  }
}
