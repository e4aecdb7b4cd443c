package com.oms.order;

import static com.oms.bus.Addresses.*;
import static com.oms.bus.Replies.replying;

import com.oms.bus.BusMessage;
import com.oms.bus.Caller;
import com.oms.bus.DeliveryProgress;
import com.oms.bus.Problem;
import com.oms.config.OmsConfig;
import com.oms.support.GroupCommit;
import com.oms.support.IdempotencyKeys;
import com.oms.order.OrderStore.Expired;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The order domain's event bus face: answers commands, and drives the saga after placement. */
public final class OrderVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OrderVerticle.class);
  /** Statuses in which the next step is the service's own (as opposed to a customer's or partner's). */
  private static final Set<OrderStatus> SERVICE_STEPS = EnumSet.of(
    OrderStatus.CREATED, OrderStatus.PAYMENT_PENDING, OrderStatus.PAYMENT_SUCCESS, OrderStatus.INVENTORY_RESERVED);

  /** Orders a scan drives on (compensates, advances) at once: about one per pooled connection. */
  private static final int COMPENSATIONS_IN_FLIGHT = 16;
  private static final Duration COUNT_EVERY = Duration.ofSeconds(30);
  private java.time.Instant lastCounted;

  private final Pool pool;
  private final GroupCommit.Writes writes;
  private final Clock clock;
  private final OrderMetrics metrics;
  private final Duration requestTimeout;
  private final Duration expireAfter;
  private final Duration stallAfter;
  private final Duration paymentWindow;
  private final int maxLines;
  private final int maxUnpaid;
  private final Duration idempotencyKeyTtl;
  private IdempotencyKeys idempotencyKeys;
  private OrderStore store;
  private OrderSaga saga;
  private OrderPlacement placement;

  private final OmsConfig.Delivery delivery;

  private OrderVerticle(Pool pool, GroupCommit.Writes writes, Clock clock, OrderMetrics metrics, Duration requestTimeout,
                        OmsConfig.Order settings, OmsConfig.Delivery delivery) {
    this.delivery = delivery;
    this.pool = pool;
    this.writes = writes;
    this.clock = clock;
    this.metrics = metrics;
    this.requestTimeout = requestTimeout;
    this.expireAfter = settings.expireAfter();
    this.stallAfter = settings.stallAfter();
    this.paymentWindow = settings.paymentWindow();
    this.maxLines = settings.maxLines();
    this.maxUnpaid = settings.maxUnpaidPerCustomer();
    this.idempotencyKeyTtl = settings.idempotencyKeyTtl();
  }

  /** Instances of the verticle sharing one set of meters. */
  public static java.util.function.Supplier<OrderVerticle> instances(Pool pool, GroupCommit.Writes writes, Clock clock,
      io.micrometer.core.instrument.MeterRegistry registry, Duration requestTimeout, OmsConfig.Order settings,
      OmsConfig.Delivery delivery) {
    OrderMetrics metrics = new OrderMetrics(registry);
    return () -> new OrderVerticle(pool, writes, clock, metrics, requestTimeout, settings, delivery);
  }

  @Override
  public Future<?> start() {
    store = new OrderStore(vertx, pool, writes, clock);
    saga = new OrderSaga(vertx, store, metrics, requestTimeout, delivery);
    idempotencyKeys = new IdempotencyKeys(vertx, pool, clock, idempotencyKeyTtl, requestTimeout.multipliedBy(2));
    placement = new OrderPlacement(vertx, store, saga, metrics, requestTimeout, maxLines, maxUnpaid, idempotencyKeys,
      idempotencyKeyTtl, delivery.pickupHorizon(), paymentWindow);
    EventBus bus = vertx.eventBus();
    bus.<JsonObject>consumer(ORDER_PLACE, replying(this::place));
    bus.<JsonObject>consumer(ORDER_GET, replying(this::get));
    bus.<JsonObject>consumer(ORDER_LIST, replying(this::list));
    bus.<JsonObject>consumer(ORDER_EVENTS, replying(this::events));
    bus.<JsonObject>consumer(ORDER_CANCEL, replying(this::cancel));
    bus.<JsonObject>consumer(ORDER_STATES, replying(message -> Future.succeededFuture(OrderStateMachine.describe())));
    bus.<Object>consumer(ORDER_DELIVERY_PROGRESS, replying(this::deliveryProgress));
    bus.<JsonObject>consumer(ORDER_ADVANCE, replying(this::advance));
    bus.<JsonObject>consumer(ORDER_EXPIRE_DUE, replying(this::expireDue));
    bus.<JsonObject>consumer(ORDER_SWEEP, replying(this::sweep));
    bus.<JsonObject>consumer(PAYMENT_SETTLED, this::paymentSettled);
    bus.<JsonObject>consumer(ORDER_RELEASE_PARTNER, replying(this::releasePartner));
    bus.<JsonObject>consumer(ORDER_RESCHEDULE_PICKUP, replying(this::reschedulePickup));
    return Future.succeededFuture();
  }

  private Future<JsonObject> place(Message<JsonObject> message) {
    JsonObject body = message.body();
    Caller caller = Caller.fromJson(body.getJsonObject("caller"));
    return placement.place(caller, body.getString("idempotencyKey"), body.getJsonObject("order"))
      .map(placed -> new JsonObject().put("replayed", placed.replayed()).put("order", placed.order()));
  }

  private Future<JsonObject> get(Message<JsonObject> message) {
    return visibleOrder(message.body()).map(Order::toApiJson);
  }

  private Future<JsonObject> events(Message<JsonObject> message) {
    return visibleOrder(message.body()).compose(order -> {
      Future<JsonArray> events = store.events(order.orderId());
      Future<JsonArray> steps = store.steps(order.orderId());
      return Future.all(events, steps).map(done -> new JsonObject()
        .put("orderId", order.id())
        .put("events", events.result())
        .put("compensation", steps.result()));
    });
  }

  private Future<JsonObject> list(Message<JsonObject> message) {
    JsonObject body = message.body();
    Caller caller = Caller.fromJson(body.getJsonObject("caller"));
    OrderCursor cursor = OrderCursor.decode(body.getString("cursor"));
    int limit = body.getInteger("limit", 20);
    String customer = caller.isAdmin() ? null : caller.subject();
    return store.list(customer, body.getString("status"), cursor.createdAt(), cursor.orderId(), limit).map(page -> {
      JsonArray orders = new JsonArray();
      page.orders().forEach(order -> orders.add(order.toApiJson()));
      return new JsonObject()
        .put("orders", orders)
        .put("nextCursor", page.last() == null ? null : OrderCursor.after(page.last()).encode());
    });
  }

  /** Cancels; with an Idempotency-Key, a retry answers exactly what the first request answered. */
  private Future<JsonObject> cancel(Message<JsonObject> message) {
    JsonObject body = message.body();
    Caller caller = Caller.fromJson(body.getJsonObject("caller"));
    java.util.function.Supplier<Future<JsonObject>> work = () -> visibleOrder(body)
      .compose(order -> saga.cancel(order, body.getString("reason"), caller))
      .map(Order::toApiJson);
    String key = body.getString("idempotencyKey");
    if (key == null) {
      return work.get();
    }
    String requestHash = "cancel:" + body.getString("orderId") + ":" + body.getString("reason");
    return idempotencyKeys.once("customer:" + caller.subject(), key, requestHash, work)
      .map(outcome -> outcome.answer().copy().put("_replayed", outcome.replayed()));
  }

  /** The delivery domain reports that the assigned partner declined. */
  private Future<JsonObject> releasePartner(Message<JsonObject> message) {
    JsonObject body = message.body();
    String partnerId = body.getString("partnerId");
    return saga.load(body.getString("orderId")).compose(order -> order == null
        ? Future.failedFuture(Problem.notFound("no order " + body.getString("orderId")))
        : saga.releasePartner(order, partnerId, body.getString("outcome"), "partner " + partnerId + " declined",
          "partner:" + partnerId))
      .map(Order::toApiJson);
  }

  /**
   * A new pickup time, before pickup: checked against the store's hours and preparation time. A partner
   * already assigned is released if the new time is further off than the assignment lead time.
   */
  private Future<JsonObject> reschedulePickup(Message<JsonObject> message) {
    JsonObject body = message.body();
    Caller caller = Caller.fromJson(body.getJsonObject("caller"));
    java.time.Instant pickupAt = java.time.OffsetDateTime.parse(body.getString("pickupAt")).toInstant();
    return visibleOrder(body).compose(order -> {
      if (order.status().isTerminal() || order.status() == OrderStatus.PICKED_UP) {
        return Future.failedFuture(new Problem(com.oms.bus.ProblemType.INVALID_TRANSITION,
          "order " + order.id() + " is " + order.status() + "; its pickup can no longer change")
          .with("status", order.status().name()));
      }
      com.oms.bus.QuoteRequest storeOnly = new com.oms.bus.QuoteRequest(order.storeId(), List.of());
      return BusMessage.request(vertx.eventBus(), INVENTORY_QUOTE, storeOnly,
          new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(requestTimeout.toMillis()), com.oms.bus.Quote.class)
        .compose(quote -> {
          var hours = OrderDraft.hours(quote);
          String refusal = PickupSlots.refusal(pickupAt, store.now().toInstant(), hours, delivery.pickupHorizon());
          if (refusal != null) {
            return Future.failedFuture(new Problem(com.oms.bus.ProblemType.PICKUP_UNAVAILABLE, refusal));
          }
          JsonObject rescheduled = order.delivery().copy()
            .put("pickupAt", pickupAt.toString())
            .put("expectedPickupAt", pickupAt.toString());
          return store.updateDelivery(order, rescheduled);
        })
        .compose(updated -> updated.status() == OrderStatus.DELIVERY_PARTNER_ASSIGNED
          && store.now().toInstant().isBefore(pickupAt.minus(delivery.assignmentLeadTime()))
          ? saga.releasePartner(updated, updated.partnerId(), "RESCHEDULED", "pickup rescheduled to " + pickupAt,
            caller.actor())
          : Future.succeededFuture(updated));
    }).map(Order::toApiJson);
  }

  /** A payment moved on (a webhook arrived): drive its order from where it waits. */
  private void paymentSettled(Message<JsonObject> message) {
    String orderId = message.body().getString("orderId");
    saga.load(orderId)
      .compose(order -> order == null || order.status() != OrderStatus.PAYMENT_PENDING
        ? Future.succeededFuture(order)
        : saga.advance(order))
      .onFailure(failure -> LOG.warn("order {}: payment settled but the saga did not move on yet: {}", orderId,
        failure.getMessage()));
  }

  private Future<JsonObject> deliveryProgress(Message<Object> message) {
    DeliveryProgress progress = BusMessage.fromJson(message.body(), DeliveryProgress.class);
    return saga.deliveryProgress(progress).map(Order::toApiJson);
  }

  private Future<JsonObject> advance(Message<JsonObject> message) {
    return saga.load(message.body().getString("orderId")).compose(order -> order == null
      ? Future.failedFuture(Problem.notFound("no order " + message.body().getString("orderId")))
      : saga.advance(order)).map(Order::toApiJson);
  }

  /**
   * One batch of the expiry scan: orders past the 48-hour limit, and orders left unpaid past the payment
   * window (their stock hold's time-to-live). Each batch is cancelled in one statement; compensation runs
   * afterwards, and whatever of it fails is retried by the sweeper because the orders stay marked.
   */
  private Future<JsonObject> expireDue(Message<JsonObject> message) {
    int batch = message.body().getInteger("batchSize", 500);
    var now = store.now();
    Future<List<Expired>> late = store.expireDue(OrderStateMachine.cancellableFrom(), now.minus(expireAfter), batch,
      "expired: not completed within " + describe(expireAfter), "system:expiry");
    return late.compose(expired -> store.expireDue(EnumSet.of(OrderStatus.PAYMENT_PENDING), now.minus(paymentWindow), batch,
      "payment window elapsed: not paid within " + describe(paymentWindow), "system:expiry")
      .compose(unpaid -> {
        // the next batch waits for this one's compensation, run a few at a time: a backlog never floods
        // the connection pools or the other domains
        List<Expired> all = new java.util.ArrayList<>(expired);
        all.addAll(unpaid);
        return com.oms.support.Bounded.forEach(all, COMPENSATIONS_IN_FLIGHT, this::afterExpiry)
          .map(v -> new JsonObject()
            .put("expired", all.size())
            .put("more", expired.size() == batch || unpaid.size() == batch));
      }));
  }

  private Future<Void> afterExpiry(Expired expired) {
    metrics.transitioned(OrderStatus.CANCELLED);
    vertx.eventBus().publish(ORDER_STATUS_CHANGED, new com.oms.bus.OrderStatusChanged(expired.orderId().toString(),
      expired.customerId(), expired.version(), expired.previous(), OrderStatus.CANCELLED.name(),
      "expired", "system:expiry", store.now().toInstant().toString(), null));
    // whatever fails here stays marked, and the sweeper finishes it
    return store.find(expired.orderId()).compose(saga::compensate).<Void>mapEmpty()
      .onFailure(failure -> LOG.warn("order {}: compensation after expiry deferred: {}", expired.orderId(),
        failure.getMessage()));
  }

  /**
   * How long an order sits with its partner before {@link OrderSaga#checkOnTheRoad} could do anything
   * (a late notice, a missed pickup): younger ones are not loaded at all.
   */
  private Duration firstOnTheRoadCheck() {
    Duration first = delivery.lateAfter();
    if (delivery.pickupTimeout().compareTo(first) < 0) {
      first = delivery.pickupTimeout();
    }
    return delivery.expectedTransit().compareTo(first) < 0 ? delivery.expectedTransit() : first;
  }

  /** Drives on orders whose next step is overdue: after a crash, a timeout, or while no partner was free. */
  private Future<JsonObject> sweep(Message<JsonObject> message) {
    int batch = message.body().getInteger("batchSize", 200);
    var before = store.now().minus(stallAfter);
    Future<List<UUID>> stalled = store.stalled(SERVICE_STEPS, before, batch);
    Future<List<UUID>> owing = store.compensationPending(before, batch);
    // the sweeper keeps where its last look at the orders on the road stopped (any instance may answer it)
    JsonObject after = message.body().getJsonObject("onTheRoadAfter");
    JsonObject[] onTheRoadNext = {after};
    Future<Void> onTheRoad = store.onTheRoad(store.now().minus(firstOnTheRoadCheck()),
        after == null ? null : java.time.OffsetDateTime.parse(after.getString("updatedAt")),
        after == null ? null : UUID.fromString(after.getString("orderId")), batch)
      .compose(page -> {
        // the next sweep goes on from the last order of this page; after a short page it starts over
        Order last = page.size() < batch ? null : page.get(page.size() - 1);
        onTheRoadNext[0] = last == null ? null
          : new JsonObject().put("updatedAt", last.updatedAt().toString()).put("orderId", last.id());
        return com.oms.support.Bounded.forEach(page, COMPENSATIONS_IN_FLIGHT, saga::checkOnTheRoad);
      })
      .recover(failure -> Future.succeededFuture());
    return Future.all(stalled, owing, onTheRoad).compose(found -> {
      Set<UUID> ids = new java.util.LinkedHashSet<>(stalled.result());
      ids.addAll(owing.result());
      java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
      // a few at a time, so a large sweep never drains the connection pools
      return com.oms.support.Bounded.forEach(new java.util.ArrayList<>(ids), COMPENSATIONS_IN_FLIGHT, id -> store.find(id)
          .compose(order -> order == null ? Future.succeededFuture(order) : saga.advance(order))
          .onFailure(failure -> failed.incrementAndGet()))
        .map(v -> {
          if (failed.get() > 0) {
            LOG.warn("sweep: {} of {} orders could not be driven on yet", failed.get(), ids.size());
          }
          return new JsonObject().put("advanced", ids.size() - failed.get()).put("onTheRoadAfter", onTheRoadNext[0]);
        });
    }).compose(result -> countByStatusNow() ? store.countByStatus().map(counts -> {
      metrics.counted(counts);
      return result;
    }) : Future.succeededFuture(result)).compose(result -> idempotencyKeys.forgetExpired(1000).map(forgotten -> result));
  }

  /**
   * Whether the status gauge is due a new count: at most every {@link #COUNT_EVERY}. The count reads every
   * order in flight, 50-100 ms of one core at 40,000 of them, which every sweep (5 s) made a periodic stall.
   */
  private boolean countByStatusNow() {
    java.time.Instant now = clock.instant();
    if (lastCounted != null && now.isBefore(lastCounted.plus(COUNT_EVERY))) {
      return false;
    }
    lastCounted = now;
    return true;
  }

  /** The order, if the caller may see it; a customer asking for someone else's order gets 404, not 403. */
  private Future<Order> visibleOrder(JsonObject body) {
    Caller caller = Caller.fromJson(body.getJsonObject("caller"));
    String orderId = body.getString("orderId");
    return store.find(UUID.fromString(orderId)).compose(order -> {
      if (order == null || !(caller.isAdmin() || order.ownedBy(caller.subject()))) {
        return Future.failedFuture(Problem.notFound("no order " + orderId));
      }
      return Future.succeededFuture(order);
    });
  }

  private static String describe(Duration duration) {
    if (duration.toHours() > 0 && duration.toMinutesPart() == 0 && duration.toSecondsPart() == 0) {
      return duration.toHours() + " hours";
    }
    if (duration.toMinutes() > 0 && duration.toSecondsPart() == 0) {
      return duration.toMinutes() + " minutes";
    }
    return duration.toSeconds() + " seconds";
  }
}
