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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
  /** First attempts in flight, per channel. */
  private final Map<String, Integer> sending = new HashMap<>();
  /** Notifications sent on their first attempt and not recorded yet. */
  private final List<UUID> sent = new ArrayList<>();

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
   * Records what was sent before going, for a few seconds at most so a stop never hangs on the database;
   * anything still unrecorded is sent again once its lease ends (same deduplication key).
   */
  @Override
  public Future<?> stop() {
    return recordSent().timeout(3, TimeUnit.SECONDS).recover(failure -> Future.succeededFuture());
  }

  /**
   * One pass: outbox events into notifications, sent at once; then each channel's notifications that fell
   * due again (retries, and any whose sender died before recording them); then what was sent since the last
   * pass is recorded. A pass that finds a full batch goes on with the next one at once, so a backlog drains
   * at the speed the database and the providers allow, not one batch per interval.
   */
  void relayOnce() {
    exclusively("outbox", () -> whileFull(this::dispatchOutbox));
    for (Channel channel : channels) {
      exclusively(channel.name(), () -> whileFull(() -> sendDue(channel)));
    }
    exclusively("sent", this::recordSent);
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

  /** One notification on its way: what its send needs. */
  private record Notice(UUID id, UUID eventId, UUID orderId, String eventType, Channel channel, String recipient,
                        int attempts, JsonObject payload) {
  }

  /**
   * Turns a batch of outbox events into notifications, in the transaction that marks the events
   * dispatched, and sends them right after it commits: each is written already leased to this sender with
   * its first attempt counted, so the send needs no claim of its own, and a sender that dies before
   * recording the outcome lets the lease run out and {@link #sendDue} sends it again (same deduplication
   * key). A channel with a full batch of sends in flight gets its new notifications due instead, to be
   * sent by its own pass: a slow provider backs up only itself. Answers how many events it dispatched.
   */
  private Future<Integer> dispatchOutbox() {
    OffsetDateTime now = Times.now(clock);
    List<Notice> sendNow = new ArrayList<>();
    return pool.withTransaction(conn -> conn.preparedQuery(sql.get("claim-outbox"))
      .execute(Tuple.of(settings.batchSize(), now)).compose(events -> {
        List<Notice> notices = new ArrayList<>();
        Map<String, Integer> starting = new HashMap<>();
        for (Row event : events) {
          JsonObject payload = (JsonObject) event.getJson("payload");
          for (Channel channel : wanted(payload)) {
            String recipient = channel.recipient(payload);
            if (recipient == null) {
              continue;
            }
            int started = starting.merge(channel.name(), 1, Integer::sum);
            boolean atOnce = sending.getOrDefault(channel.name(), 0) + started <= settings.batchSize();
            Notice notice = new Notice(UUID.randomUUID(), event.getUUID("event_id"), event.getUUID("order_id"),
              event.getString("event_type"), channel, recipient, atOnce ? 1 : 0, payload);
            notices.add(notice);
            if (atOnce) {
              sendNow.add(notice);
            }
          }
        }
        return insertAll(conn, notices, now).map(inserted -> {
          // a replayed event's notifications exist already (and were sent): only the new ones go out
          sendNow.removeIf(notice -> !inserted.contains(notice.id()));
          return events.size();
        });
      }))
      .onSuccess(dispatched -> sendNow.forEach(this::sendFirst));
  }

  /** The channels the customer chose on the order, or the configured defaults. */
  private List<Channel> wanted(JsonObject payload) {
    JsonObject contact = payload.getJsonObject("contact", new JsonObject());
    JsonArray chosen = contact.getJsonArray("channels");
    List<String> names = chosen == null ? settings.defaultChannels() : chosen.stream().map(String::valueOf).toList();
    return channels.stream().filter(channel -> names.contains(channel.name())).toList();
  }

  /** Writes the notifications in one statement; answers the ids it wrote (an event relayed again writes none). */
  private Future<Set<UUID>> insertAll(SqlConnection conn, List<Notice> notices, OffsetDateTime now) {
    if (notices.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    int size = notices.size();
    UUID[] ids = new UUID[size];
    UUID[] events = new UUID[size];
    UUID[] orders = new UUID[size];
    String[] types = new String[size];
    String[] channelNames = new String[size];
    String[] recipients = new String[size];
    Integer[] attempts = new Integer[size];
    OffsetDateTime[] nextAttempts = new OffsetDateTime[size];
    OffsetDateTime leaseEnd = now.plus(SEND_LEASE);
    for (int i = 0; i < size; i++) {
      Notice notice = notices.get(i);
      ids[i] = notice.id();
      events[i] = notice.eventId();
      orders[i] = notice.orderId();
      types[i] = notice.eventType();
      channelNames[i] = notice.channel().name();
      recipients[i] = notice.recipient();
      attempts[i] = notice.attempts();
      nextAttempts[i] = notice.attempts() > 0 ? leaseEnd : now;
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfUUID(events).addArrayOfUUID(orders)
      .addArrayOfString(types).addArrayOfString(channelNames).addArrayOfString(recipients).addArrayOfInteger(attempts)
      .addArrayOfOffsetDateTime(nextAttempts).addOffsetDateTime(now);
    return conn.preparedQuery(sql.get("insert-notifications")).execute(params).map(rows -> {
      Set<UUID> inserted = new HashSet<>();
      rows.forEach(row -> inserted.add(row.getUUID("id")));
      return inserted;
    });
  }

  /** The first attempt of a notification just written; its outcome is recorded with the pass's others. */
  private void sendFirst(Notice notice) {
    String name = notice.channel().name();
    sending.merge(name, 1, Integer::sum);
    send(notice)
      .onSuccess(sentId -> {
        if (sentId != null) {
          sent.add(sentId);
        }
      })
      .onComplete(ar -> sending.merge(name, -1, Integer::sum));
  }

  /** Records the notifications sent since the last pass, in one statement. */
  private Future<Void> recordSent() {
    if (sent.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = sent.toArray(UUID[]::new);
    sent.clear();
    return pool.preparedQuery(sql.get("mark-sent")).execute(Tuple.of(ids, Times.now(clock))).<Void>mapEmpty()
      .onFailure(failure -> java.util.Collections.addAll(sent, ids)); // the next pass tries again
  }

  /**
   * Sends a channel's due notifications (retries, and notifications whose lease ran out), and records those
   * sent in one statement at the end of the pass; answers how many it claimed.
   */
  private Future<Integer> sendDue(Channel channel) {
    OffsetDateTime now = Times.now(clock);
    Tuple params = Tuple.of(now, settings.batchSize(), now.plus(SEND_LEASE), channel.name());
    return pool.preparedQuery(sql.get("claim-due")).execute(params).compose(rows -> {
      List<Future<UUID>> sends = new ArrayList<>();
      rows.forEach(row -> sends.add(send(new Notice(row.getUUID("id"), row.getUUID("event_id"), row.getUUID("order_id"),
        row.getString("event_type"), channel, row.getString("recipient"), row.getInteger("attempts"),
        (JsonObject) row.getJson("payload")))));
      return Future.join(sends).transform(done -> {
        List<UUID> sentIds = sends.stream().filter(Future::succeeded).map(Future::result).filter(Objects::nonNull).toList();
        return sentIds.isEmpty() ? Future.succeededFuture(rows.size())
          : pool.preparedQuery(sql.get("mark-sent")).execute(Tuple.of(sentIds.toArray(UUID[]::new), Times.now(clock)))
            .map(rows.size());
      });
    });
  }

  /** Answers the notification's id once the provider took it, or null when it failed (and is rescheduled). */
  private Future<UUID> send(Notice notice) {
    Channel channel = notice.channel();
    RenderedMessage message = templates.render(channel.name(), notice.eventType(), notice.payload());
    String deduplicationKey = notice.eventId() + "." + channel.name().toLowerCase();
    int attempts = notice.attempts();
    UUID id = notice.id();
    return channel.send(notice.recipient(), message, deduplicationKey).map(v -> id)
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
