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

  /**
   * @param batchSize outbox events leased, and due notifications claimed, per statement
   * @param maxSendsInFlight first attempts in flight per channel; beyond it a new notification is recorded due,
   *                         for its channel's own pass (which costs it two more writes)
   */
  /**
   * @param eventChannels per notice type, the only channels it may use: of the order's channels, a notice
   *                      named here goes to those listed with it (none, if none are)
   */
  public record Settings(Duration relayInterval, int batchSize, int maxSendsInFlight, int maxAttempts,
                         Duration retryBase, List<String> defaultChannels, Map<String, List<String>> eventChannels) {
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
  /** Batches of outbox events whose first attempts are out and not recorded yet. */
  private final Set<Future<Void>> recording = new HashSet<>();

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
   * Records the batches whose first attempts are out, for a few seconds at most so a stop never hangs on
   * the database; a batch still unrecorded is relayed again once its lease ends (same deduplication keys).
   */
  @Override
  public Future<?> stop() {
    return Future.join(List.copyOf(recording)).timeout(3, TimeUnit.SECONDS).recover(failure -> Future.succeededFuture());
  }

  /**
   * One pass: outbox events sent and recorded; then each channel's notifications that fell due again
   * (retries, and those left to the channel's own pass). A pass that finds a full batch goes on with the
   * next one at once, so a backlog drains at the speed the database and the providers allow, not one batch
   * per interval.
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

  /** One notification on its way: what its send needs. */
  private record Notice(UUID id, UUID eventId, UUID orderId, String eventType, Channel channel, String recipient,
                        int attempts, JsonObject payload) {
  }

  /** A notification as its first attempt left it, to be recorded. */
  private record FirstAttempt(Notice notice, String status, int attempts, OffsetDateTime nextAttempt, String lastError,
                              OffsetDateTime sentAt) {
  }

  /**
   * Leases a batch of outbox events and sends their notifications' first attempts right away, before
   * anything is written about them; once every attempt of the batch has an outcome, one statement records
   * each notification in the state it reached and marks the events dispatched. A relay that dies before
   * recording lets the lease run out, and the events are sent again with the same deduplication keys. A
   * channel with its most sends in flight gets its new notifications recorded due instead, to be
   * sent by its own pass: a slow provider backs up only itself. Answers how many events it leased, without
   * waiting for the sends.
   */
  private Future<Integer> dispatchOutbox() {
    OffsetDateTime claimed = Times.now(clock);
    Tuple params = Tuple.of(settings.batchSize(), claimed, claimed.plus(SEND_LEASE));
    return pool.preparedQuery(sql.get("claim-outbox")).execute(params).map(events -> {
      if (events.size() == 0) {
        return 0;
      }
      List<UUID> eventIds = new ArrayList<>(events.size());
      List<Future<FirstAttempt>> attempts = new ArrayList<>();
      Map<String, Integer> starting = new HashMap<>();
      for (Row event : events) {
        eventIds.add(event.getUUID("event_id"));
        JsonObject payload = (JsonObject) event.getJson("payload");
        List<String> recorded = List.of(event.getArrayOfStrings("recorded"));
        for (Channel channel : wanted(payload, event.getString("event_type"))) {
          String recipient = channel.recipient(payload);
          if (recipient == null || recorded.contains(channel.name())) {
            continue; // nothing to reach them by, or relayed before: sent (or being retried) already
          }
          int started = starting.merge(channel.name(), 1, Integer::sum);
          boolean atOnce = sending.getOrDefault(channel.name(), 0) + started <= settings.maxSendsInFlight();
          Notice notice = new Notice(UUID.randomUUID(), event.getUUID("event_id"), event.getUUID("order_id"),
            event.getString("event_type"), channel, recipient, atOnce ? 1 : 0, payload);
          attempts.add(atOnce ? attemptFirst(notice)
            : Future.succeededFuture(new FirstAttempt(notice, "PENDING", 0, claimed, null, null)));
        }
      }
      Future<Void> recorded = Future.join(attempts)
        .transform(done -> record(attempts.stream().map(Future::result).toList(), eventIds, claimed));
      recording.add(recorded);
      recorded
        .onFailure(failure -> LOG.warn("notification relay: {} events sent, not recorded (relayed again after the lease): {}",
          eventIds.size(), failure.getMessage()))
        .onComplete(ar -> recording.remove(recorded));
      return events.size();
    });
  }

  /** Sends a notification's first attempt; the outcome says how it is to be recorded. */
  private Future<FirstAttempt> attemptFirst(Notice notice) {
    String name = notice.channel().name();
    sending.merge(name, 1, Integer::sum);
    return deliver(notice)
      .transform(ar -> {
        sending.merge(name, -1, Integer::sum);
        OffsetDateTime now = Times.now(clock);
        if (ar.succeeded()) {
          return Future.succeededFuture(new FirstAttempt(notice, "SENT", 1, now, null, now));
        }
        String error = String.valueOf(ar.cause().getMessage());
        if (retries.exhausted(1)) {
          LOG.warn("notification {} ({}) is dead after its first attempt: {}", notice.id(), name, error);
          return Future.succeededFuture(new FirstAttempt(notice, "DEAD", 1, now, error, null));
        }
        return Future.succeededFuture(new FirstAttempt(notice, "PENDING", 1, now.plus(retries.delayAfter(1)), error, null));
      });
  }

  /** Writes a batch's notifications as their first attempts left them and marks its events dispatched. */
  private Future<Void> record(List<FirstAttempt> attempts, List<UUID> eventIds, OffsetDateTime claimed) {
    int size = attempts.size();
    UUID[] ids = new UUID[size];
    UUID[] events = new UUID[size];
    UUID[] orders = new UUID[size];
    String[] types = new String[size];
    String[] channelNames = new String[size];
    String[] recipients = new String[size];
    String[] statuses = new String[size];
    Integer[] attemptsMade = new Integer[size];
    OffsetDateTime[] nextAttempts = new OffsetDateTime[size];
    String[] errors = new String[size];
    OffsetDateTime[] sentAt = new OffsetDateTime[size];
    for (int i = 0; i < size; i++) {
      FirstAttempt attempt = attempts.get(i);
      Notice notice = attempt.notice();
      ids[i] = notice.id();
      events[i] = notice.eventId();
      orders[i] = notice.orderId();
      types[i] = notice.eventType();
      channelNames[i] = notice.channel().name();
      recipients[i] = notice.recipient();
      statuses[i] = attempt.status();
      attemptsMade[i] = attempt.attempts();
      nextAttempts[i] = attempt.nextAttempt();
      errors[i] = attempt.lastError();
      sentAt[i] = attempt.sentAt();
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfUUID(events).addArrayOfUUID(orders)
      .addArrayOfString(types).addArrayOfString(channelNames).addArrayOfString(recipients).addArrayOfString(statuses)
      .addArrayOfInteger(attemptsMade).addArrayOfOffsetDateTime(nextAttempts).addArrayOfString(errors)
      .addArrayOfOffsetDateTime(sentAt).addOffsetDateTime(claimed).addOffsetDateTime(Times.now(clock))
      .addArrayOfUUID(eventIds.toArray(UUID[]::new));
    return pool.preparedQuery(sql.get("record-dispatched")).execute(params).mapEmpty();
  }

  /**
   * The channels the customer chose on the order, or the configured defaults; for a notice type with
   * channels of its own (progress, by default: push only), those of them.
   */
  private List<Channel> wanted(JsonObject payload, String eventType) {
    JsonObject contact = payload.getJsonObject("contact", new JsonObject());
    JsonArray chosen = contact.getJsonArray("channels");
    List<String> names = chosen == null ? settings.defaultChannels() : chosen.stream().map(String::valueOf).toList();
    List<String> allowed = settings.eventChannels().get(eventType);
    return channels.stream()
      .filter(channel -> names.contains(channel.name()) && (allowed == null || allowed.contains(channel.name())))
      .toList();
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

  /**
   * A retry: answers the notification's id once the provider took it, or null when it failed (then it is
   * rescheduled, or DEAD when out of attempts).
   */
  private Future<UUID> send(Notice notice) {
    int attempts = notice.attempts();
    UUID id = notice.id();
    return deliver(notice).map(v -> id)
      .recover(failure -> {
        String error = String.valueOf(failure.getMessage());
        if (retries.exhausted(attempts)) {
          LOG.warn("notification {} ({}) is dead after {} attempts: {}", id, notice.channel().name(), attempts, error);
          return pool.preparedQuery(sql.get("mark-dead")).execute(Tuple.of(id, error)).map((UUID) null);
        }
        OffsetDateTime next = Times.now(clock).plus(retries.delayAfter(attempts));
        return pool.preparedQuery(sql.get("schedule-retry")).execute(Tuple.of(id, next, error)).map((UUID) null);
      });
  }

  /** Hands the message to its channel's provider, with a deduplication key per event and channel. */
  private Future<Void> deliver(Notice notice) {
    Channel channel = notice.channel();
    RenderedMessage message = templates.render(channel.name(), notice.eventType(), notice.payload());
    return channel.send(notice.recipient(), message, notice.eventId() + "." + channel.name().toLowerCase());
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
