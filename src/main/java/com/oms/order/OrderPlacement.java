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
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Placing an order: price it, record it (CREATED), hold its stock, record the hold (PAYMENT_PENDING).
 * Only then does the client hear 201. Each step is its own short statement; no connection is held while
 * Redis or another verticle works.
 */
final class OrderPlacement {

  /** What placement answers: the order, and whether it is an idempotent replay of an earlier request. */
  record Placed(Order order, boolean replayed) {
  }

  private final Vertx vertx;
  private final OrderStore store;
  private final OrderSaga saga;
  private final OrderMetrics metrics;
  private final DeliveryOptions busOptions;
  private Set<String> paymentMethods;
  private final int maxLines;

  OrderPlacement(Vertx vertx, OrderStore store, OrderSaga saga, OrderMetrics metrics, Duration requestTimeout,
                 int maxLines) {
    this.maxLines = maxLines;
    this.vertx = vertx;
    this.store = store;
    this.saga = saga;
    this.metrics = metrics;
    this.busOptions = new DeliveryOptions().setSendTimeout(requestTimeout.toMillis());
  }

  Future<Placed> place(Caller caller, String idempotencyKey, JsonObject request) {
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
      return placeChecked(caller, idempotencyKey, draft);
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

  private Future<Placed> placeChecked(Caller caller, String idempotencyKey, OrderDraft draft) {
    if (idempotencyKey == null) {
      return placeNew(caller, null, draft);
    }
    return store.findByIdempotencyKey(caller.subject(), idempotencyKey).compose(existing -> existing != null
      ? replay(existing, draft)
      : placeNew(caller, idempotencyKey, draft));
  }

  private Future<Placed> replay(Order existing, OrderDraft draft) {
    if (!draft.requestHash().equals(existing.requestHash())) {
      return Future.failedFuture(new Problem(ProblemType.IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key already placed order " + existing.id() + " with a different request")
        .with("orderId", existing.id()));
    }
    return Future.succeededFuture(new Placed(existing, true));
  }

  private Future<Placed> placeNew(Caller caller, String idempotencyKey, OrderDraft draft) {
    QuoteRequest quoteRequest = new QuoteRequest(draft.storeId(), draft.skus());
    return metrics.timed("quote", request(Addresses.INVENTORY_QUOTE, quoteRequest.toJson()))
      .map(reply -> BusMessage.fromJson(reply, Quote.class))
      .compose(quote -> store.insert(newOrder(caller, idempotencyKey, draft, quote)))
      .recover(failure -> idempotencyKey != null && isDuplicateKey(failure)
        // a concurrent request with the same key won the insert: answer what it placed
        ? store.findByIdempotencyKey(caller.subject(), idempotencyKey).compose(winner -> replay(winner, draft))
          .compose(placed -> Future.failedFuture(new AlreadyPlaced(placed)))
        : Future.failedFuture(failure))
      .compose(this::holdStock)
      .map(order -> new Placed(order, false))
      .recover(failure -> failure instanceof AlreadyPlaced already
        ? Future.succeededFuture(already.placed)
        : Future.failedFuture(failure));
  }

  private NewOrder newOrder(Caller caller, String idempotencyKey, OrderDraft draft, Quote quote) {
    return new NewOrder(UUID.randomUUID(), caller.subject(), draft.storeId(), quote.currency(), draft.total(quote),
      draft.pricedItems(quote), draft.paymentSummary(), draft.instrument(), draft.deliveryWithPickup(quote),
      draft.contact(), idempotencyKey, draft.requestHash(), caller.actor());
  }

  private Future<Order> holdStock(Order created) {
    return metrics.timed("hold", request(Addresses.INVENTORY_HOLD, created.stockCommand().toJson()))
      .recover(failure -> {
        // We cannot know whether Redis took the stock: give it back (a late hold is then refused too).
        Problem problem = Problem.from(failure);
        return saga.fail(created, "stock could not be held: " + problem.detail())
          .compose(failed -> Future.failedFuture(problem.with("orderId", failed.id())));
      })
      .compose(reply -> {
        HoldOutcome outcome = BusMessage.fromJson(reply, HoldOutcome.class);
        if (outcome.held()) {
          return saga.move(created, Transition.to(PAYMENT_PENDING, "stock held", OrderSaga.SAGA))
            .compose(order -> order.status() == PAYMENT_PENDING
              ? Future.succeededFuture(order)
              : Future.failedFuture(Problem.unavailable("order " + order.id() + " was abandoned while placing")
                .with("orderId", order.id())));
        }
        return rejectForShortage(created, outcome);
      });
  }

  private Future<Order> rejectForShortage(Order created, HoldOutcome outcome) {
    String reason = "insufficient stock: " + outcome.shortages().stream()
      .map(s -> s.sku() + " (requested " + s.requested() + ", available " + s.available() + ")")
      .collect(Collectors.joining(", "));
    JsonArray shortages = new JsonArray();
    for (Shortage shortage : outcome.shortages()) {
      shortages.add(shortage.toJson());
    }
    // Nothing was held, so there is nothing to compensate: record FAILED and answer 409.
    Transition failed = new Transition(FAILED, reason, OrderSaga.SAGA, null, reason, null, false,
      OrderNotices.noticeFor(FAILED));
    return saga.move(created, failed).compose(order -> Future.failedFuture(
      new Problem(ProblemType.INSUFFICIENT_STOCK, reason)
        .with("orderId", order.id())
        .with("shortages", shortages)));
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, busOptions).map(message -> message.body());
  }

  private static boolean isDuplicateKey(Throwable failure) {
    return failure instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  private static final class AlreadyPlaced extends RuntimeException {
    final Placed placed;

    AlreadyPlaced(Placed placed) {
      super(null, null, false, false);
      this.placed = placed;
    }
  }
}
