package com.oms.payment;

import static com.oms.bus.Addresses.PAYMENT_CHARGE;
import static com.oms.bus.Addresses.PAYMENT_METHODS;
import static com.oms.bus.Addresses.PAYMENT_REFUND;
import static com.oms.bus.Replies.replying;

import com.oms.bus.BusMessage;
import com.oms.bus.ChargeRequest;
import com.oms.bus.PaymentOutcome;
import com.oms.payment.PaymentProvider.ProviderResult;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns payments. Each order has one payment row whose status only moves forward; the gateway is called
 * with the order as idempotency key, so a retried or repeated charge never charges twice, and a charge
 * that lands after its order was given up is refunded at once.
 */
public final class PaymentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PaymentVerticle.class);

  private final Pool pool;
  private final Clock clock;
  private final Map<String, PaymentProvider> providers;
  private final SqlStatements sql = SqlStatements.load("sql/payments.sql");

  public PaymentVerticle(Pool pool, Clock clock, List<PaymentProvider> providers) {
    this.pool = pool;
    this.clock = clock;
    this.providers = providers.stream().collect(Collectors.toMap(PaymentProvider::method, Function.identity()));
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(PAYMENT_CHARGE, replying(this::charge));
    vertx.eventBus().<JsonObject>consumer(PAYMENT_REFUND, replying(this::refund));
    vertx.eventBus().<JsonObject>consumer(PAYMENT_METHODS, replying(message ->
      Future.succeededFuture(new JsonObject().put("methods", new JsonArray(List.copyOf(providers.keySet()))))));
    return Future.succeededFuture();
  }

  private Future<JsonObject> charge(Message<JsonObject> message) {
    ChargeRequest request = BusMessage.fromJson(message.body(), ChargeRequest.class);
    PaymentProvider provider = providers.get(request.method());
    if (provider == null) {
      return Future.succeededFuture(outcome(request.orderId(), PaymentOutcome.FAILED, null, "method_unavailable", null));
    }
    UUID orderId = UUID.fromString(request.orderId());
    Tuple open = Tuple.of(orderId, request.method(), request.amount(), request.currency(), Times.now(clock));
    return pool.preparedQuery(sql.get("open-payment")).execute(open)
      .compose(v -> find(orderId))
      .compose(row -> {
        if (!"PENDING".equals(row.getString("status"))) {
          return Future.succeededFuture(fromRow(row));
        }
        return provider.charge(request).compose(result -> settle(provider, orderId, result));
      });
  }

  private Future<JsonObject> settle(PaymentProvider provider, UUID orderId, ProviderResult result) {
    if ("PENDING".equals(result.status())) {
      return Future.succeededFuture(outcome(orderId.toString(), PaymentOutcome.PENDING, result.reference(), null,
        result.nextAction()));
    }
    Tuple params = Tuple.of(orderId, result.status(), result.reference(), result.declineCode(), Times.now(clock));
    return pool.preparedQuery(sql.get("settle-payment")).execute(params).compose(rows -> {
      if (rows.size() == 0 && PaymentOutcome.SUCCEEDED.equals(result.status())) {
        // The payment was voided (its order ended) while the gateway was charging: give the money back.
        LOG.info("order {}: charge landed after the payment was voided; refunding", orderId);
        return refundCharge(provider, orderId, result.reference());
      }
      return find(orderId).map(this::fromRow);
    });
  }

  private Future<JsonObject> refund(Message<JsonObject> message) {
    UUID orderId = UUID.fromString(message.body().getString("orderId"));
    return find(orderId).compose(row -> {
      if (row == null) {
        return Future.succeededFuture(outcome(orderId.toString(), "NONE", null, null, null));
      }
      PaymentProvider provider = providers.get(row.getString("method"));
      return switch (row.getString("status")) {
        case "SUCCEEDED" -> refundCharge(provider, orderId, row.getString("reference"));
        case "PENDING" -> voidThenRefundIfCharged(provider, orderId);
        case "FAILED" -> refundIfCharged(provider, orderId, fromRow(row));
        default -> Future.succeededFuture(fromRow(row));
      };
    });
  }

  /**
   * A payment still pending when its order ends: void it first, so an answer arriving later is refunded
   * by {@link #settle}, then ask the gateway whether it charged already.
   */
  private Future<JsonObject> voidThenRefundIfCharged(PaymentProvider provider, UUID orderId) {
    return pool.preparedQuery(sql.get("void-payment")).execute(Tuple.of(orderId, Times.now(clock)))
      .compose(v -> find(orderId))
      .compose(row -> "FAILED".equals(row.getString("status"))
        ? refundIfCharged(provider, orderId, fromRow(row))
        : refund(provider, orderId, row));
  }

  private Future<JsonObject> refund(PaymentProvider provider, UUID orderId, Row row) {
    return "SUCCEEDED".equals(row.getString("status"))
      ? refundCharge(provider, orderId, row.getString("reference"))
      : Future.succeededFuture(fromRow(row));
  }

  private Future<JsonObject> refundIfCharged(PaymentProvider provider, UUID orderId, JsonObject current) {
    return provider.status(orderId.toString()).compose(gateway -> "SUCCEEDED".equals(gateway.status())
      ? refundCharge(provider, orderId, gateway.reference())
      : Future.succeededFuture(current));
  }

  private Future<JsonObject> refundCharge(PaymentProvider provider, UUID orderId, String reference) {
    return provider.refund(orderId.toString(), reference).compose(refund -> {
      Tuple params = Tuple.of(orderId, reference, refund.reference(), Times.now(clock));
      return pool.preparedQuery(sql.get("mark-refunded")).execute(params);
    }).compose(v -> find(orderId)).map(this::fromRow);
  }

  private Future<Row> find(UUID orderId) {
    return pool.preparedQuery(sql.get("find-payment")).execute(Tuple.of(orderId))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private JsonObject fromRow(Row row) {
    return outcome(row.getUUID("order_id").toString(), row.getString("status"), row.getString("reference"),
      row.getString("decline_code"), null);
  }

  private static JsonObject outcome(String orderId, String status, String reference, String declineCode,
                                    Map<String, Object> nextAction) {
    return new PaymentOutcome(orderId, status, reference, declineCode, nextAction).toJson();
  }
}
