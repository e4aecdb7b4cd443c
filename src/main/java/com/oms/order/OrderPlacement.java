package com.oms.order;

import static com.oms.order.OrderStatus.*;

import com.oms.bus.Addresses;
import com.oms.bus.BusMessage;
import com.oms.bus.Caller;
import com.oms.bus.HoldOutcome;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.bus.Quote;
import com.oms.bus.QuoteRequest;
import com.oms.bus.Shortage;
import com.oms.order.OrderStore.NewOrder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import com.oms.support.IdempotencyKeys;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Placing an order: price it, record it (CREATED) with the claim of its stock hold unless its customer has
 * too many unpaid orders, and hold its stock in Redis. Then the client hears 201: the order is in Postgres
 * and its stock is held. The saga records the hold (PAYMENT_PENDING) and charges afterwards; if this
 * process stops first, the sweeper does (a recorded CREATED order is carried on, not dropped). Each step is
 * its own short statement; no connection is held while Redis or another verticle works.
 */
final class OrderPlacement {

  /** What placement answers: the order as the API shows it, and whether it is a replay of an earlier answer. */
  record Placed(JsonObject order, boolean replayed) {
  }

  private final Vertx vertx;
  private final OrderStore store;
  private final OrderSaga saga;
  private final OrderMetrics metrics;
  private final DeliveryOptions busOptions;
  private Set<String> paymentMethods;
  private final int maxLines;
  private final int maxUnpaid;
  private final Duration pickupHorizon;
  private final Duration holdFor;
  private final IdempotencyKeys idempotencyKeys;
  private final Duration keyLifetime;

  OrderPlacement(Vertx vertx, OrderStore store, OrderSaga saga, OrderMetrics metrics, Duration requestTimeout,
                 int maxLines, int maxUnpaid, IdempotencyKeys idempotencyKeys, Duration keyLifetime,
                 Duration pickupHorizon, Duration holdFor) {
    this.holdFor = holdFor;
    this.keyLifetime = keyLifetime;
    this.maxLines = maxLines;
    this.maxUnpaid = maxUnpaid;
    this.pickupHorizon = pickupHorizon;
    this.idempotencyKeys = idempotencyKeys;
    this.vertx = vertx;
    this.store = store;
    this.saga = saga;
    this.metrics = metrics;
    this.busOptions = new DeliveryOptions().setSendTimeout(requestTimeout.toMillis());
  }

  /**
   * Places an order; with an Idempotency-Key, once: a retry answers what the first request answered
   * (order or refusal), the key with another request is refused. A first request that failed for a passing
   * reason (5xx) frees the key; its retry carries on the order that request recorded, if it did and the
   * order is still alive, rather than placing another.
   */
  Future<Placed> place(Caller caller, String idempotencyKey, JsonObject request) {
    if (idempotencyKey == null) {
      return placeChecked(caller, null, request).map(order -> new Placed(order.toApiJson(), false));
    }
    String requestHash = "place:" + OrderDraft.hash(request);
    return idempotencyKeys.once("customer:" + caller.subject(), idempotencyKey, requestHash,
        () -> placeChecked(caller, idempotencyKey, request).map(Order::toApiJson))
      .map(outcome -> new Placed(outcome.answer(), outcome.replayed()));
  }

  private Future<Order> placeChecked(Caller caller, String idempotencyKey, JsonObject request) {
    OrderDraft draft = OrderDraft.from(request);
    if (draft.lines().size() > maxLines) {
      return Future.failedFuture(new Problem(ProblemType.TOO_MANY_LINES,
        "an order may have at most " + maxLines + " distinct SKUs; this one has " + draft.lines().size())
        .with("maxLines", maxLines));
    }
    return acceptedMethods().compose(methods -> {
      if (!methods.contains(draft.paymentMethod())) {
        return Future.failedFuture(new Problem(ProblemType.PAYMENT_METHOD_UNAVAILABLE,
          draft.paymentMethod() + " payments are not available; use one of " + methods)
          .with("methods", new JsonArray(List.copyOf(methods))));
      }
      return placeNew(caller, idempotencyKey, draft);
    });
  }

  /** The methods the payment domain has a provider for; asked once, they do not change while running. */
  private Future<Set<String>> acceptedMethods() {
    if (paymentMethods != null) {
      return Future.succeededFuture(paymentMethods);
    }
    return request(Addresses.PAYMENT_METHODS, new JsonObject()).map(reply -> {
      Set<String> methods = new java.util.TreeSet<>();
      reply.getJsonArray("methods").forEach(method -> methods.add((String) method));
      paymentMethods = methods;
      return methods;
    });
  }

  private Future<Order> placeNew(Caller caller, String idempotencyKey, OrderDraft draft) {
    QuoteRequest quoteRequest = new QuoteRequest(draft.storeId(), draft.skus());
    return metrics.timed("quote", ask(Addresses.INVENTORY_QUOTE, quoteRequest, Quote.class))
      .compose(quote -> {
        if (draft.pickupAt() != null) {
          String refusal = PickupSlots.refusal(draft.pickupAt(), store.now().toInstant(), OrderDraft.hours(quote),
            pickupHorizon);
          if (refusal != null) {
            return Future.failedFuture(new Problem(ProblemType.PICKUP_UNAVAILABLE, refusal));
          }
        }
        return recordAndHold(newOrder(caller, idempotencyKey, draft, quote), true);
      });
  }

  /**
   * Records the order and holds its stock; the cap on unpaid orders is checked by the insert itself. A keyed
   * request's earlier attempt may have recorded it already: that order is carried on instead, unless it
   * ends meanwhile (the sweeper failing it as never acknowledged) or its hold was released, when this one
   * is recorded after all.
   */
  private Future<Order> recordAndHold(NewOrder order, boolean mayCarryOn) {
    return metrics.timed("insert", store.insert(order, maxUnpaid, holdFor, keyLifetime)).compose(inserted -> {
      if (inserted.earlierOrderId() != null) {
        return store.find(inserted.earlierOrderId()).compose(this::carryOnEarlier)
          .transform(carried -> {
            boolean ended = carried.succeeded()
              ? carried.result().status() == FAILED || carried.result().status() == CANCELLED
              : Problem.from(carried.cause()).type() == ProblemType.CONCURRENT_UPDATE; // its hold was released
            if (mayCarryOn && ended) {
              return recordAndHold(order, false);
            }
            return carried.succeeded() ? Future.succeededFuture(carried.result()) : Future.failedFuture(carried.cause());
          });
      }
      return inserted.order() != null ? holdAndGoOn(inserted.order())
        : Future.failedFuture(new Problem(ProblemType.TOO_MANY_UNPAID_ORDERS, "you have " + inserted.unpaid()
            + " orders waiting for payment; pay or cancel one before placing another (at most " + maxUnpaid + ")")
          .with("maxUnpaid", maxUnpaid));
    });
  }

  /**
   * The order an earlier attempt of this keyed request recorded before it failed. Still CREATED, its
   * placement goes on from the hold (which answers held again if that attempt took it), and PAYMENT_PENDING
   * is written before the answer: the sweeper may be failing the order as one whose hold was never taken,
   * and whichever write lands first decides what the client hears. Further on, it is answered as it is.
   */
  private Future<Order> carryOnEarlier(Order earlier) {
    if (earlier.status() != CREATED) {
      return Future.succeededFuture(earlier);
    }
    return holdStock(earlier).compose(saga::stockHeld).onSuccess(order -> goOnAfterAnswer(order, saga.advance(order)));
  }

  private Future<Order> holdAndGoOn(Order created) {
    return holdStock(created).onSuccess(order -> goOnAfterAnswer(order, saga.stockHeld(order).compose(saga::advance)));
  }

  /** The client has its answer; where the saga stops, the sweeper resumes it. */
  private static void goOnAfterAnswer(Order order, Future<Order> saga) {
    saga.onFailure(failure -> LoggerFactory.getLogger(OrderPlacement.class).warn("order {}: saga paused after placement: {}",
      order.id(), failure.getMessage()));
  }

  private NewOrder newOrder(Caller caller, String idempotencyKey, OrderDraft draft, Quote quote) {
    return new NewOrder(UUID.randomUUID(), caller.subject(), draft.storeId(), quote.currency(), draft.total(quote),
      draft.pricedItems(quote), draft.paymentSummary(), draft.instrument(),
      draft.deliveryWithPickup(quote, PickupSlots.expectedPickup(draft.pickupAt(), store.now().toInstant(), OrderDraft.hours(quote))),
      draft.contact(), idempotencyKey, draft.requestHash(), caller.actor());
  }

  private Future<Order> holdStock(Order created) {
    // the insert wrote the hold's claim in the ledger with the order: Redis is all that is left
    return saga.holdStock(created)
      .recover(failure -> {
        // We cannot know whether Redis took the stock: give it back (a late hold is then refused too).
        Problem problem = Problem.from(failure);
        return saga.fail(created, "stock could not be held: " + problem.detail())
          .compose(failed -> Future.failedFuture(problem.with("orderId", failed.id())));
      })
      .compose(outcome -> outcome.held() ? Future.succeededFuture(created) : rejectForShortage(created, outcome));
  }

  private Future<Order> rejectForShortage(Order created, HoldOutcome outcome) {
    String reason = OrderSaga.shortageReason(outcome);
    JsonArray shortages = new JsonArray();
    for (Shortage shortage : outcome.shortages()) {
      shortages.add(shortage.toJson());
    }
    // Nothing was held, so there is nothing to compensate: record FAILED and answer 409.
    Transition failed = new Transition(FAILED, reason, OrderSaga.SAGA, null, reason, null, false,
      OrderNotices.noticeFor(FAILED), null, null);
    return saga.move(created, failed).compose(order -> Future.failedFuture(
      new Problem(ProblemType.INSUFFICIENT_STOCK, reason)
        .with("orderId", order.id())
        .with("shortages", shortages)));
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, busOptions).map(message -> message.body());
  }

  private <T extends BusMessage> Future<T> ask(String address, BusMessage body, Class<T> reply) {
    return BusMessage.request(vertx.eventBus(), address, body, busOptions, reply);
  }

}
