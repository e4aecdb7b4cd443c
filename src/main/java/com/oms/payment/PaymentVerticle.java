package com.oms.payment;

import static com.oms.bus.Addresses.*;
import static com.oms.bus.Replies.replying;

import com.oms.bus.BusMessage;
import com.oms.bus.ChargeRequest;
import com.oms.bus.PaymentOutcome;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.payment.PaymentProvider.ProviderResult;
import com.oms.payment.PaymentProvider.WebhookEvent;
import com.oms.payment.wallet.Wallets;
import com.oms.support.GroupCommit;
import com.oms.support.SqlStatements;
import com.oms.support.Times;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns payments, refunds and wallets. Each order has one payment row whose status only moves forward,
 * and at most one refund. Every gateway call carries the order as idempotency key; a call that timed out
 * is followed by a status query before anything is retried, so a customer is never charged twice. A
 * charge that lands after its order was given up is refunded at once.
 */
public final class PaymentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PaymentVerticle.class);

  /** Statuses a gateway's answer moves a payment to; settle-payments in payments.sql says from which. */
  private static final Set<String> SETTLED_STATUSES = Set.of("AUTHORIZED", "SUCCEEDED", "DECLINED", "FAILED");

  public record Settings(int breakerMaxFailures, Duration breakerReset) {
  }

  private final Pool pool;
  private final GroupCommit.Writes writes;
  private final Clock clock;
  private final Map<String, PaymentProvider> providers;
  private final Map<String, PaymentProvider> byWebhook = new HashMap<>();
  private final Settings settings;
  private final Map<String, CircuitBreaker> breakers = new HashMap<>();
  private final SqlStatements sql = SqlStatements.load("sql/payments.sql");
  private Wallets wallets;
  private PaymentLedger ledger;

  public PaymentVerticle(Pool pool, GroupCommit.Writes writes, Clock clock, List<PaymentProvider> providers,
                         Settings settings) {
    this.pool = pool;
    this.writes = writes;
    this.clock = clock;
    this.settings = settings;
    this.providers = new HashMap<>();
    providers.forEach(provider -> {
      this.providers.put(provider.method(), provider);
      if (provider.webhookName() != null) {
        byWebhook.put(provider.webhookName(), provider);
      }
    });
  }

  @Override
  public Future<?> start() {
    wallets = new Wallets(pool, clock);
    ledger = new PaymentLedger(vertx, writes, sql, this::now);
    providers.keySet().forEach(method -> breakers.put(method, CircuitBreaker.create("payment-" + method, vertx,
      new CircuitBreakerOptions()
        .setMaxFailures(settings.breakerMaxFailures())
        .setResetTimeout(settings.breakerReset().toMillis())
        .setTimeout(-1))));
    EventBus bus = vertx.eventBus();
    bus.<Object>consumer(PAYMENT_CHARGE, replying(this::charge));
    bus.<JsonObject>consumer(PAYMENT_REFUND, replying(this::refund));
    bus.<JsonObject>consumer(PAYMENT_WEBHOOK, replying(this::webhook));
    bus.<JsonObject>consumer(PAYMENT_DETAILS, replying(this::details));
    bus.<JsonObject>consumer(PAYMENT_METHODS, replying(message ->
      Future.succeededFuture(new JsonObject().put("methods", new JsonArray(List.copyOf(providers.keySet()))))));
    bus.<JsonObject>consumer(WALLET_VIEW, replying(message -> wallets.view(message.body().getString("customerId"))));
    bus.<JsonObject>consumer(WALLET_TOP_UP, replying(message -> {
      JsonObject body = message.body();
      JsonObject amount = body.getJsonObject("amount");
      return wallets.topUp(body.getString("customerId"), amount.getLong("amount"), amount.getString("currency"),
        body.getString("idempotencyKey"));
    }));
    return Future.succeededFuture();
  }

  // charge ------------------------------------------------------------------------------------------

  private Future<JsonObject> charge(Message<Object> message) {
    ChargeRequest request = BusMessage.fromJson(message.body(), ChargeRequest.class);
    PaymentProvider provider = providers.get(request.method());
    if (provider == null) {
      return Future.succeededFuture(outcome(request.orderId(), PaymentOutcome.FAILED, null, "method_unavailable", null));
    }
    UUID orderId = UUID.fromString(request.orderId());
    PaymentLedger.Opening open = new PaymentLedger.Opening(orderId, request.customerId(), request.method(),
      request.amount(), request.currency());
    return ledger.open(open).compose(row -> {
      if (row != null && row.getBoolean("opened")) {
        // a new payment, its first gateway call already counted
        return guarded(request.method(), () -> provider.charge(request)).compose(answer -> settle(provider, orderId, answer));
      }
      return (row != null ? Future.succeededFuture(row) : find(orderId)).compose(existing -> switch (existing.getString("status")) {
        case "PENDING", "AUTHORIZED" -> attempt(provider, request, existing);
        default -> Future.succeededFuture(fromRow(existing));
      });
    });
  }

  /**
   * The first call charges. A later one (the first timed out, or its answer was lost) asks the gateway
   * first, and only charges if the gateway never saw the order.
   */
  private Future<JsonObject> attempt(PaymentProvider provider, ChargeRequest request, Row row) {
    UUID orderId = UUID.fromString(request.orderId());
    if (row.getValue("next_action") != null && row.getString("reference") != null) {
      // waiting for the customer: nothing to call until the webhook (or a status check) says more
      return askGateway(provider, request).compose(result -> settle(provider, orderId, result));
    }
    return writes.execute(sql.get("start-attempt"), Tuple.of(orderId, now())).compose(rows -> {
      int attempts = rows.size() == 0 ? 1 : rows.iterator().next().getInteger("attempts");
      Future<ProviderResult> result = attempts == 1
        ? guarded(request.method(), () -> provider.charge(request))
        : askGateway(provider, request).compose(known -> "NONE".equals(known.status())
          ? guarded(request.method(), () -> provider.charge(request))
          : Future.succeededFuture(known));
      return result.compose(answer -> settle(provider, orderId, answer));
    });
  }

  private Future<ProviderResult> askGateway(PaymentProvider provider, ChargeRequest request) {
    return guarded(request.method(), () -> provider.status(request));
  }

  private Future<JsonObject> settle(PaymentProvider provider, UUID orderId, ProviderResult result) {
    if ("PENDING".equals(result.status()) || "NONE".equals(result.status())) {
      JsonObject action = result.nextAction() == null ? null : new JsonObject(result.nextAction());
      Future<Row> saved = action == null ? Future.succeededFuture()
        : writes.execute(sql.get("set-next-action"), Tuple.of(orderId, action, result.reference(), now()))
          .map(PaymentVerticle::firstOrNull);
      return saved.compose(row -> row != null ? Future.succeededFuture(row) : find(orderId)).map(this::fromRow);
    }
    return moveTo(orderId, result.status(), result.reference(), result.declineCode()).compose(moved -> {
      if (moved != null) {
        return Future.succeededFuture(fromRow(moved));
      }
      return find(orderId).compose(row -> PaymentOutcome.SUCCEEDED.equals(result.status()) && "FAILED".equals(row.getString("status"))
        // the payment was voided (its order ended) while the gateway was charging: give the money back
        ? refundOnce(provider, row, result.reference())
        : Future.succeededFuture(fromRow(row)));
    });
  }

  /** Moves the payment forward and answers its row, or null when it may not move (it moved on already). */
  private Future<Row> moveTo(UUID orderId, String status, String reference, String declineCode) {
    if (!SETTLED_STATUSES.contains(status)) {
      return Future.succeededFuture();
    }
    return ledger.settle(new PaymentLedger.Settling(orderId, status, reference, declineCode));
  }

  // webhooks ----------------------------------------------------------------------------------------

  /**
   * A gateway reports an outcome. Only a genuine, fresh event is applied, once per event id; the
   * payment moves forward only, so a duplicate or an out-of-order event changes nothing. The order
   * domain hears of it and drives the order on.
   */
  private Future<JsonObject> webhook(Message<JsonObject> message) {
    JsonObject body = message.body();
    PaymentProvider provider = byWebhook.get(body.getString("provider"));
    if (provider == null) {
      return Future.failedFuture(new Problem(ProblemType.VALIDATION_FAILED,
        "no payment provider receives webhooks at '" + body.getString("provider") + "'"));
    }
    byte[] raw = Base64.getDecoder().decode(body.getString("body"));
    WebhookEvent event;
    try {
      event = provider.webhook(body.getString("signature"), raw, clock.instant());
    } catch (WebhookSignature.Rejected rejected) {
      LOG.warn("webhook from {} refused: {}", provider.webhookName(), rejected.getMessage());
      return Future.failedFuture(new Problem(ProblemType.WEBHOOK_REJECTED, rejected.getMessage()));
    }
    UUID orderId;
    try {
      orderId = UUID.fromString(event.orderId());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new Problem(ProblemType.VALIDATION_FAILED, "the event's reference is not an order"));
    }
    Tuple record = Tuple.of(provider.webhookName(), event.eventId(), orderId, event.type(),
      new JsonObject(io.vertx.core.buffer.Buffer.buffer(raw)), now());
    return writes.execute(sql.get("record-event"), record).compose(recorded -> {
      if (recorded.size() == 0) {
        return Future.succeededFuture(new JsonObject().put("received", true).put("duplicate", true));
      }
      return find(orderId).compose(row -> row == null
        ? Future.succeededFuture(new JsonObject().put("received", true).put("unknownOrder", true))
        : applyEvent(provider, row, event));
    });
  }

  private Future<JsonObject> applyEvent(PaymentProvider provider, Row row, WebhookEvent event) {
    UUID orderId = row.getUUID("order_id");
    return settle(provider, orderId, new ProviderResult(event.status(), event.reference(), event.declineCode(), null))
      .map(outcome -> {
        // one receiver is enough (and with several order verticles, publishing would wake them all)
        vertx.eventBus().send(PAYMENT_SETTLED, outcome);
        return new JsonObject().put("received", true).put("status", outcome.getString("status"));
      });
  }

  // refunds -----------------------------------------------------------------------------------------

  private Future<JsonObject> refund(Message<JsonObject> message) {
    UUID orderId = UUID.fromString(message.body().getString("orderId"));
    return find(orderId).compose(row -> {
      if (row == null) {
        return Future.succeededFuture(outcome(orderId.toString(), "NONE", null, null, null));
      }
      PaymentProvider provider = providers.get(row.getString("method"));
      return switch (row.getString("status")) {
        case "SUCCEEDED" -> refundOnce(provider, row, row.getString("reference"));
        case "PENDING", "AUTHORIZED" -> voidThenRefundIfCharged(provider, row);
        case "FAILED" -> "voided".equals(row.getString("decline_code"))
          ? refundIfCharged(provider, row)
          : Future.succeededFuture(fromRow(row));
        default -> Future.succeededFuture(fromRow(row));
      };
    });
  }

  /**
   * The order ended while its payment was open: void it first, so an answer arriving later is refunded
   * by {@link #settle}, then ask the gateway whether it charged already.
   */
  private Future<JsonObject> voidThenRefundIfCharged(PaymentProvider provider, Row row) {
    UUID orderId = row.getUUID("order_id");
    return writes.execute(sql.get("void-payment"), Tuple.of(orderId, now()))
      .compose(v -> find(orderId))
      .compose(current -> switch (current.getString("status")) {
        case "FAILED" -> refundIfCharged(provider, current);
        case "SUCCEEDED" -> refundOnce(provider, current, current.getString("reference"));
        default -> Future.succeededFuture(fromRow(current));
      });
  }

  private Future<JsonObject> refundIfCharged(PaymentProvider provider, Row row) {
    return askGateway(provider, chargeOf(row)).compose(gateway -> "SUCCEEDED".equals(gateway.status())
      ? refundOnce(provider, row, gateway.reference())
      : Future.succeededFuture(fromRow(row)));
  }

  /**
   * Refunds a payment, once in total: the refund row is the guard, and the gateway gets the order as
   * idempotency key. A failed attempt is recorded and the failure passed on, so compensation retries.
   */
  private Future<JsonObject> refundOnce(PaymentProvider provider, Row payment, String chargeReference) {
    UUID orderId = payment.getUUID("order_id");
    Tuple open = Tuple.of(orderId, payment.getLong("amount"), payment.getString("currency"), now());
    return writes.execute(sql.get("open-refund"), open)
      .compose(v -> findRefund(orderId))
      .compose(refund -> {
        if ("SUCCEEDED".equals(refund.getString("status"))) {
          return markRefunded(orderId, chargeReference, refund.getString("reference"));
        }
        return writes.execute(sql.get("refund-attempt"), Tuple.of(orderId, now()))
          .compose(v -> guarded(payment.getString("method"), () -> provider.refund(chargeOf(payment), chargeReference)))
          .compose(done -> writes.execute(sql.get("refund-succeeded"), Tuple.of(orderId, done.reference(), now()))
            .compose(v -> markRefunded(orderId, chargeReference, done.reference())))
          .recover(failure -> writes.execute(sql.get("refund-failed"), Tuple.of(orderId, String.valueOf(failure.getMessage()), now()))
            .compose(v -> Future.failedFuture(failure)));
      });
  }

  private Future<JsonObject> markRefunded(UUID orderId, String chargeReference, String refundReference) {
    return writes.execute(sql.get("mark-refunded"), Tuple.of(orderId, chargeReference, refundReference, now()))
      .compose(v -> find(orderId)).map(this::fromRow);
  }

  // details -----------------------------------------------------------------------------------------

  private Future<JsonObject> details(Message<JsonObject> message) {
    UUID orderId = UUID.fromString(message.body().getString("orderId"));
    Future<Row> payment = find(orderId);
    Future<Row> refund = findRefund(orderId);
    Future<JsonArray> events = pool.preparedQuery(sql.get("order-events")).execute(Tuple.of(orderId)).map(rows -> {
      JsonArray list = new JsonArray();
      rows.forEach(row -> list.add(new JsonObject()
        .put("provider", row.getString("provider"))
        .put("eventId", row.getString("event_id"))
        .put("type", row.getString("event_type"))
        .put("receivedAt", Times.iso(row.getOffsetDateTime("received_at")))));
      return list;
    });
    return Future.all(payment, refund, events).compose(done -> {
      Row row = payment.result();
      if (row == null) {
        return Future.failedFuture(Problem.notFound("order " + orderId + " has no payment yet"));
      }
      Row r = refund.result();
      JsonObject refundJson = r == null ? null : new JsonObject()
        .put("status", r.getString("status"))
        .put("amount", new JsonObject().put("amount", r.getLong("amount")).put("currency", r.getString("currency")))
        .put("attempts", r.getInteger("attempts"))
        .put("reference", r.getString("reference"))
        .put("lastError", r.getString("last_error"))
        .put("updatedAt", Times.iso(r.getOffsetDateTime("updated_at")));
      return Future.succeededFuture(new JsonObject()
        .put("orderId", orderId.toString())
        .put("method", row.getString("method"))
        .put("status", row.getString("status"))
        .put("amount", new JsonObject().put("amount", row.getLong("amount")).put("currency", row.getString("currency")))
        .put("reference", row.getString("reference"))
        .put("declineCode", row.getString("decline_code"))
        .put("nextAction", row.getValue("next_action"))
        .put("attempts", row.getInteger("attempts"))
        .put("refund", refundJson)
        .put("events", events.result())
        .put("createdAt", Times.iso(row.getOffsetDateTime("created_at")))
        .put("updatedAt", Times.iso(row.getOffsetDateTime("updated_at"))));
    });
  }

  // helpers -----------------------------------------------------------------------------------------

  /** A provider call through the method's circuit breaker: a gateway that keeps failing is not called. */
  private <T> Future<T> guarded(String method, Supplier<Future<T>> call) {
    CircuitBreaker breaker = breakers.get(method);
    return breaker == null ? call.get() : breaker.execute(promise -> call.get().onComplete(promise));
  }

  private static ChargeRequest chargeOf(Row row) {
    return new ChargeRequest(row.getUUID("order_id").toString(), row.getString("customer_id"), row.getString("method"),
      row.getLong("amount"), row.getString("currency"), Map.of());
  }

  private Future<Row> find(UUID orderId) {
    return pool.preparedQuery(sql.get("find-payment")).execute(Tuple.of(orderId)).map(PaymentVerticle::firstOrNull);
  }

  private static Row firstOrNull(io.vertx.sqlclient.RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  private Future<Row> findRefund(UUID orderId) {
    return pool.preparedQuery(sql.get("find-refund")).execute(Tuple.of(orderId)).map(PaymentVerticle::firstOrNull);
  }

  private JsonObject fromRow(Row row) {
    JsonObject action = (JsonObject) row.getJson("next_action");
    return outcome(row.getUUID("order_id").toString(), row.getString("status"), row.getString("reference"),
      row.getString("decline_code"), action == null ? null : action.getMap());
  }

  private static JsonObject outcome(String orderId, String status, String reference, String declineCode,
                                    Map<String, Object> nextAction) {
    return new PaymentOutcome(orderId, status, reference, declineCode, nextAction).toJson();
  }

  private java.time.OffsetDateTime now() {
    return Times.now(clock);
  }
}
