package com.oms.notification;

import static com.oms.bus.Addresses.NOTIFICATION_LIST;
import static com.oms.bus.Addresses.NOTIFICATION_RETRY;
import static com.oms.bus.Replies.replying;

import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
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
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the outbox: every event the order domain committed becomes one notification per channel the
 * customer can be reached on and wants, each sent with retries, recorded in the notification log. Each
 * channel is relayed on its own with a bounded number of sends in flight, so a slow or dead provider
 * backs up only its own notifications, and nothing here ever slows order processing.
 */
public final class NotificationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationVerticle.class);
  private static final Duration SEND_LEASE = Duration.ofSeconds(60);

  public record Settings(Duration relayInterval, int batchSize, int maxAttempts, Duration retryBase,
                         List<String> defaultChannels) {
  }

  private final Pool pool;
  private final Clock clock;
  private final List<Channel> channels;
  private final Settings settings;
  private final RetrySchedule retries;
  private final Templates templates = new Templates();
  private final SqlStatements sql = SqlStatements.load("sql/notifications.sql");
  private final Set<String> busy = new HashSet<>();

  public NotificationVerticle(Pool pool, Clock clock, List<Channel> channels, Settings settings) {
    this.pool = pool;
    this.clock = clock;
    this.channels = channels;
    this.settings = settings;
    this.retries = new RetrySchedule(settings.retryBase(), Duration.ofMinutes(10), settings.maxAttempts(),
      RandomGenerator.getDefault());
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(NOTIFICATION_LIST, replying(this::list));
    vertx.eventBus().<JsonObject>consumer(NOTIFICATION_RETRY, replying(this::retry));
    vertx.setPeriodic(settings.relayInterval().toMillis(), id -> relayOnce());
    return Future.succeededFuture();
  }

  /**
   * One pass: outbox events into notifications, then each channel's due notifications out. A pass that
   * finds a full batch goes on with the next one at once, so a backlog drains at the speed the database
   * and the providers allow, not one batch per interval.
   */
  void relayOnce() {
    exclusively("outbox", () -> whileFull(this::dispatchOutbox));
    for (Channel channel : channels) {
      exclusively(channel.name(), () -> whileFull(() -> sendDue(channel)));
    }
  }

  /** Runs {@code batch} again for as long as it handled a full batch. */
  private Future<Void> whileFull(java.util.function.Supplier<Future<Integer>> batch) {
    return batch.get().compose(handled -> handled >= settings.batchSize() ? whileFull(batch) : Future.succeededFuture());
  }

  /** Runs {@code pass} unless the previous pass of the same name is still running. */
  private void exclusively(String name, java.util.function.Supplier<Future<Void>> pass) {
    if (!busy.add(name)) {
      return;
    }
    pass.get()
      .onFailure(failure -> LOG.warn("notification relay ({}) failed, next pass retries: {}", name, failure.getMessage()))
      .onComplete(ar -> busy.remove(name));
  }

  /** Answers how many outbox events it dispatched. */
  private Future<Integer> dispatchOutbox() {
    return pool.withTransaction(conn -> {
      OffsetDateTime now = Times.now(clock);
      return conn.preparedQuery(sql.get("claim-outbox")).execute(Tuple.of(settings.batchSize(), now)).compose(rows -> {
        List<Tuple> notifications = new ArrayList<>();
        for (Row row : rows) {
          JsonObject payload = (JsonObject) row.getJson("payload");
          for (Channel channel : wanted(payload)) {
            String recipient = channel.recipient(payload);
            if (recipient != null) {
              notifications.add(Tuple.of(UUID.randomUUID(), row.getUUID("event_id"), row.getUUID("order_id"),
                row.getString("event_type"), channel.name(), recipient, now));
            }
          }
        }
        return insertAll(conn, notifications).map(rows.size());
      });
    });
  }

  /** The channels the customer chose on the order, or the configured defaults. */
  private List<Channel> wanted(JsonObject payload) {
    JsonObject contact = payload.getJsonObject("contact", new JsonObject());
    JsonArray chosen = contact.getJsonArray("channels");
    List<String> names = chosen == null ? settings.defaultChannels() : chosen.stream().map(String::valueOf).toList();
    return channels.stream().filter(channel -> names.contains(channel.name())).toList();
  }

  private Future<Void> insertAll(SqlConnection conn, List<Tuple> notifications) {
    if (notifications.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(sql.get("insert-notification")).executeBatch(notifications).mapEmpty();
  }

  /**
   * Sends a channel's due notifications, and records those sent in one statement at the end of the pass;
   * answers how many it claimed.
   */
  private Future<Integer> sendDue(Channel channel) {
    OffsetDateTime now = Times.now(clock);
    Tuple params = Tuple.of(now, settings.batchSize(), now.plus(SEND_LEASE), channel.name());
    return pool.preparedQuery(sql.get("claim-due")).execute(params).compose(rows -> {
      List<Future<UUID>> sends = new ArrayList<>();
      rows.forEach(row -> sends.add(send(channel, row)));
      return Future.join(sends).transform(done -> {
        List<UUID> sent = sends.stream().filter(Future::succeeded).map(Future::result).filter(Objects::nonNull).toList();
        return sent.isEmpty() ? Future.succeededFuture(rows.size())
          : pool.preparedQuery(sql.get("mark-sent")).execute(Tuple.of(sent.toArray(UUID[]::new), Times.now(clock)))
            .map(rows.size());
      });
    });
  }

  /** Answers the notification's id once the provider took it, or null when it failed (and is rescheduled). */
  private Future<UUID> send(Channel channel, Row row) {
    UUID id = row.getUUID("id");
    JsonObject payload = (JsonObject) row.getJson("payload");
    RenderedMessage message = templates.render(channel.name(), row.getString("event_type"), payload);
    String deduplicationKey = row.getUUID("event_id") + "." + channel.name().toLowerCase();
    int attempts = row.getInteger("attempts");
    return channel.send(row.getString("recipient"), message, deduplicationKey).map(v -> id)
      .recover(failure -> {
        String error = String.valueOf(failure.getMessage());
        if (retries.exhausted(attempts)) {
          LOG.warn("notification {} ({}) is dead after {} attempts: {}", id, channel.name(), attempts, error);
          return pool.preparedQuery(sql.get("mark-dead")).execute(Tuple.of(id, error)).map((UUID) null);
        }
        OffsetDateTime next = Times.now(clock).plus(retries.delayAfter(attempts));
        return pool.preparedQuery(sql.get("schedule-retry")).execute(Tuple.of(id, next, error)).map((UUID) null);
      });
  }

  private Future<JsonObject> retry(Message<JsonObject> message) {
    UUID id = UUID.fromString(message.body().getString("id"));
    return pool.preparedQuery(sql.get("revive")).execute(Tuple.of(id, Times.now(clock))).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(json(rows.iterator().next()));
      }
      return pool.preparedQuery(sql.get("find-notification")).execute(Tuple.of(id)).compose(found -> found.size() == 0
        ? Future.failedFuture(Problem.notFound("no notification " + id))
        : Future.failedFuture(new Problem(ProblemType.INVALID_TRANSITION,
          "notification " + id + " is " + found.iterator().next().getString("status") + "; only a DEAD one can be retried")));
    });
  }

  private Future<JsonObject> list(Message<JsonObject> message) {
    UUID orderId = UUID.fromString(message.body().getString("orderId"));
    return pool.preparedQuery(sql.get("list-for-order")).execute(Tuple.of(orderId)).map(rows -> {
      JsonArray notifications = new JsonArray();
      rows.forEach(row -> notifications.add(json(row)));
      return new JsonObject().put("orderId", orderId.toString()).put("notifications", notifications);
    });
  }

  private static JsonObject json(Row row) {
    return new JsonObject()
      .put("id", row.getUUID("id").toString())
      .put("event", row.getString("event_type"))
      .put("channel", row.getString("channel"))
      .put("recipient", row.getString("recipient"))
      .put("status", row.getString("status"))
      .put("attempts", row.getInteger("attempts"))
      .put("lastError", row.getString("last_error"))
      .put("createdAt", Times.iso(row.getOffsetDateTime("created_at")))
      .put("sentAt", Times.iso(row.getOffsetDateTime("sent_at")));
  }
}
