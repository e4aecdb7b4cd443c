package com.oms.order;

import static com.oms.order.OrderStatus.*;

import com.oms.bus.Addresses;
import com.oms.bus.AssignOutcome;
import com.oms.bus.AssignRequest;
import com.oms.bus.BusMessage;
import com.oms.bus.Caller;
import com.oms.bus.ChargeRequest;
import com.oms.bus.DeliveryProgress;
import com.oms.bus.HoldOutcome;
import com.oms.bus.OrderStatusChanged;
import com.oms.bus.PaymentOutcome;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.order.OrderStore.StaleOrderException;
import com.oms.support.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives orders through their steps. Each step asks one domain over the event bus, then commits the
 * transition its answer calls for; every step is idempotent per order, so running it twice (after a crash,
 * a timeout, or from two instances at once) is safe, and the optimistic version check lets one win.
 */
final class OrderSaga {

  static final String SAGA = "system:saga";
  /** How the failure reason of an order that never reached payment begins: nothing is refunded. */
  static final String PLACEMENT_INCOMPLETE = "placement did not complete";
  private static final Logger LOG = LoggerFactory.getLogger(OrderSaga.class);
  private static final int MAX_STALE_RETRIES = 5;
  private static final int QUICK_ASSIGNMENT_RETRIES = 6;
  private final java.util.Map<java.util.UUID, Integer> assignmentRetries = new java.util.HashMap<>();

  private final Vertx vertx;
  private final OrderStore store;
  private final OrderMetrics metrics;
  private final DeliveryOptions busOptions;
  private final com.oms.config.OmsConfig.Delivery delivery;

  OrderSaga(Vertx vertx, OrderStore store, OrderMetrics metrics, Duration requestTimeout,
            com.oms.config.OmsConfig.Delivery delivery) {
    this.vertx = vertx;
    this.delivery = delivery;
    this.store = store;
    this.metrics = metrics;
    this.busOptions = new DeliveryOptions().setSendTimeout(requestTimeout.toMillis());
  }

  /** Takes the order as far as the service can on its own; stops where a customer or partner must act. */
  Future<Order> advance(Order order) {
    if (order.compensationPending()) {
      return compensate(order);
    }
    Future<Order> step = switch (order.status()) {
      case CREATED -> resumePlacement(order);
      case PAYMENT_PENDING -> charge(order);
      case PAYMENT_SUCCESS -> commitStock(order);
      case INVENTORY_RESERVED -> assignPartner(order);
      default -> Future.succeededFuture(order);
    };
    return step.compose(next -> next.version() != order.version() || next.compensationPending() != order.compensationPending()
      ? advance(next)
      : Future.succeededFuture(next));
  }

  /**
   * The step after the hold of a new order's stock: it is recorded (PAYMENT_PENDING) and the charge may
   * start. Placement answers 201 once the hold is taken, before this commit, so a client waits for one
   * commit, not two.
   */
  Future<Order> stockHeld(Order order) {
    return metrics.timed("payment-pending", move(order, Transition.to(PAYMENT_PENDING, "stock held", SAGA)));
  }

  /**
   * A CREATED order that sat still: its placement stopped after recording it. Its client heard 201 only if
   * Redis took the hold, so that decides. Taken: the order goes on to payment (asking for the hold again
   * answers held: holding is idempotent). Never taken, refused (the client heard 409) or released since:
   * the order fails, never having reached payment, and the release recorded for it refuses a late hold.
   * Undecided (a rebuild of Redis restored the claim, not knowing whether the hold had been taken): the
   * hold decides, as for a new order.
   */
  private Future<Order> resumePlacement(Order order) {
    return metrics.timed("hold-state", request(Addresses.INVENTORY_HOLD_STATE, order.stockCommand()))
      .compose(reply -> switch (reply.getString("state")) {
        case "NONE" -> fail(order, PLACEMENT_INCOMPLETE + ": it stopped before its stock was held");
        case "RELEASED" -> fail(order, PLACEMENT_INCOMPLETE + ": its stock hold was released");
        default -> holdStock(order).compose(outcome -> outcome.held() ? stockHeld(order)
          : fail(order, PLACEMENT_INCOMPLETE + ": " + shortageReason(outcome)));
      });
  }

  /** Holds the order's stock in Redis against the claim recorded with the order; the same answer if asked again. */
  Future<HoldOutcome> holdStock(Order order) {
    return metrics.timed("hold", ask(Addresses.INVENTORY_HOLD_CLAIMED, order.stockCommand(), HoldOutcome.class));
  }

  static String shortageReason(HoldOutcome outcome) {
    return "insufficient stock: " + outcome.shortages().stream()
      .map(s -> s.sku() + " (requested " + s.requested() + ", available " + s.available() + ")")
      .collect(java.util.stream.Collectors.joining(", "));
  }

  private Future<Order> charge(Order order) {
    ChargeRequest charge = new ChargeRequest(order.id(), order.customerId(), order.paymentMethod(),
      order.totalAmount(), order.currency(), order.paymentInstrument().getMap());
    return metrics.timed("charge", ask(Addresses.PAYMENT_CHARGE, charge, PaymentOutcome.class)).compose(outcome -> {
      JsonObject summary = paymentSummary(order, outcome);
      if (outcome.succeeded()) {
        Transition paid = Transition.to(PAYMENT_SUCCESS, "payment succeeded", SAGA).withPayment(summary);
        return move(order, paid).compose(next -> next.status().isTerminal() && !next.compensationPending()
          ? compensate(next) // cancelled while the charge was in flight: the refund must follow it
          : Future.succeededFuture(next));
      }
      if (outcome.isFinalFailure()) {
        String reason = "payment " + outcome.status().toLowerCase()
          + (outcome.declineCode() == null ? "" : ": " + outcome.declineCode());
        return fail(order, reason, summary);
      }
      // waiting for the customer (UPI approval, bank page): show them what to do next
      if (!summary.equals(order.payment())) {
        return store.updatePayment(order, summary).compose(v -> load(order.id()));
      }
      return Future.succeededFuture(order);
    });
  }

  private static JsonObject paymentSummary(Order order, PaymentOutcome outcome) {
    JsonObject summary = order.payment().copy()
      .put("status", outcome.status())
      .put("reference", outcome.reference())
      .put("nextAction", outcome.nextAction() == null ? null : new JsonObject(outcome.nextAction()));
    if (outcome.declineCode() != null) {
      summary.put("declineCode", outcome.declineCode());
    }
    return summary;
  }

  /**
   * Reserves the held stock. When a partner can be assigned at once, the partner is asked for before the
   * reservation is recorded, and both steps are written in one statement (INVENTORY_RESERVED, then
   * DELIVERY_PARTNER_ASSIGNED): each is validated and has its history row, and both the reservation and the
   * assignment are idempotent, so a crash before the write only means they are asked for again.
   */
  private Future<Order> commitStock(Order order) {
    return metrics.timed("commit", request(Addresses.INVENTORY_COMMIT, order.stockCommand()))
      .compose(reply -> {
        String state = reply.getString("state");
        if (!"RESERVED".equals(state) && !"DEDUCTED".equals(state)) {
          return fail(order, "stock hold was lost before it could be reserved (" + state + ")");
        }
        Transition reserved = Transition.to(INVENTORY_RESERVED, "stock reserved", SAGA);
        if (!assignableNow(order)) {
          return move(order, reserved);
        }
        return askForPartner(order).compose(outcome -> outcome.assigned()
          ? move(order, assigned(outcome).via(INVENTORY_RESERVED, reserved.reason()))
          : move(order, reserved)); // the next step asks again, and waits for a partner as it does
      });
  }

  /** Whether the order's partner is to be found now: always for an ASAP order, else within the lead time. */
  private boolean assignableNow(Order order) {
    Instant assignFrom = order.expectedPickupAt().minus(delivery.assignmentLeadTime());
    return order.requestedPickupAt() == null || !store.now().toInstant().isBefore(assignFrom);
  }

  private Future<AssignOutcome> askForPartner(Order order) {
    AssignRequest assign = new AssignRequest(order.id(), order.storeId(), order.storeLat(), order.storeLon(),
      order.delivery().getMap(), order.expectedPickupAt().toString());
    return metrics.timed("assign", ask(Addresses.DELIVERY_ASSIGN, assign, AssignOutcome.class));
  }

  private static Transition assigned(AssignOutcome outcome) {
    return Transition.to(DELIVERY_PARTNER_ASSIGNED, "partner " + outcome.partnerId() + " assigned", SAGA)
      .withPartner(outcome.partnerId());
  }

  /**
   * Finds a partner, unless the order's pickup is scheduled further ahead than the lead time. While no
   * partner is free the customer is told of the delay (once per step), and after the give-up time the
   * order fails and is compensated.
   */
  private Future<Order> assignPartner(Order order) {
    Instant now = store.now().toInstant();
    Instant assignFrom = order.expectedPickupAt().minus(delivery.assignmentLeadTime());
    if (!assignableNow(order)) {
      return Future.succeededFuture(order);
    }
    return askForPartner(order).compose(outcome -> {
      if (outcome.assigned()) {
        assignmentRetries.remove(order.orderId());
        return move(order, assigned(outcome));
      }
      Instant waitingSince = later(order.updatedAt().toInstant(), order.requestedPickupAt() == null ? null : assignFrom);
      Duration waited = Duration.between(waitingSince, now);
      if (waited.compareTo(delivery.giveUpAfter()) >= 0) {
        return fail(order, "no delivery partner available within " + delivery.giveUpAfter().toMinutes() + " minutes");
      }
      retryAssignmentSoon(order);
      if (waited.compareTo(delivery.delayNoticeAfter()) >= 0) {
        long step = 1 + waited.minus(delivery.delayNoticeAfter()).toMillis() / delivery.delayNoticeEvery().toMillis();
        return delayed(order, "partner", step, "we are still looking for a delivery partner").map(order);
      }
      return Future.succeededFuture(order);
    });
  }

  private static Instant later(Instant a, Instant b) {
    return b == null || a.isAfter(b) ? a : b;
  }

  /**
   * Tells the customer the order is late, once per (kind, step): the notice's id is derived from them,
   * so however often the sweeper finds it due, one notice is written.
   */
  Future<Boolean> delayed(Order order, String kind, long step, String message) {
    UUID eventId = UUID.nameUUIDFromBytes((order.id() + ":delay:" + kind + ":" + step).getBytes(StandardCharsets.UTF_8));
    return store.notice(order, eventId, OrderNotices.ORDER_DELAYED, new JsonObject()
        .put("reason", message).put("delay", kind).put("step", step))
      .onSuccess(written -> {
        if (written) {
          vertx.eventBus().publish(Addresses.ORDER_NOTICE, new JsonObject()
            .put("orderId", order.id()).put("customerId", order.customerId()).put("kind", "DELAYED")
            .put("delay", kind).put("message", message).put("at", store.now().toInstant().toString()));
        }
      });
  }

  /**
   * Takes the order away from its partner (declined, missed the pickup, pickup rescheduled) and looks
   * for the next one. Idempotent: the delivery domain releases a partner once, and a stale order answers
   * as it now is.
   */
  Future<Order> releasePartner(Order order, String partnerId, String outcome, String reason, String actor) {
    if (order.status() != DELIVERY_PARTNER_ASSIGNED || !partnerId.equals(order.partnerId())) {
      return Future.succeededFuture(order);
    }
    JsonObject release = new JsonObject().put("orderId", order.id()).put("partnerId", partnerId).put("outcome", outcome);
    return request(Addresses.DELIVERY_RELEASE, release)
      .compose(v -> move(order, Transition.to(INVENTORY_RESERVED, reason, actor)))
      .compose(this::advance);
  }

  /**
   * For an order a partner holds: a partner not at the store in time loses it to the next one; a late
   * pickup or a long delivery is told to the customer.
   */
  Future<Order> checkOnTheRoad(Order order) {
    Instant now = store.now().toInstant();
    if (order.status() == DELIVERY_PARTNER_ASSIGNED) {
      Instant expected = later(order.expectedPickupAt(), order.updatedAt().toInstant());
      if (now.isAfter(expected.plus(delivery.pickupTimeout()))) {
        return releasePartner(order, order.partnerId(), "MISSED_PICKUP",
          "partner " + order.partnerId() + " did not pick up in time", SAGA);
      }
      if (now.isAfter(expected.plus(delivery.lateAfter()))) {
        long step = 1 + Duration.between(expected.plus(delivery.lateAfter()), now).toMillis() / delivery.delayNoticeEvery().toMillis();
        return delayed(order, "pickup", step, "the pickup is running late").map(order);
      }
    } else if (order.status() == PICKED_UP) {
      Instant due = order.updatedAt().toInstant().plus(delivery.expectedTransit());
      if (now.isAfter(due)) {
        long step = 1 + Duration.between(due, now).toMillis() / delivery.delayNoticeEvery().toMillis();
        return delayed(order, "delivery", step, "the delivery is taking longer than expected").map(order);
      }
    }
    return Future.succeededFuture(order);
  }

  /**
   * No partner was free, or the free one was being assigned concurrently: try again shortly, a few times
   * with growing pauses, then leave the order to the sweeper (which also covers a restart).
   */
  private void retryAssignmentSoon(Order order) {
    int attempt = assignmentRetries.merge(order.orderId(), 1, Integer::sum);
    if (attempt > QUICK_ASSIGNMENT_RETRIES) {
      assignmentRetries.remove(order.orderId());
      LOG.debug("order {}: no partner free yet, the sweeper will try again", order.id());
      return;
    }
    vertx.setTimer(25L << attempt, id -> load(order.id())
      .compose(current -> current != null && current.status() == INVENTORY_RESERVED
        ? advance(current)
        : Future.succeededFuture(current))
      .onFailure(failure -> LOG.debug("order {}: assignment retry failed: {}", order.id(), failure.getMessage())));
  }

  /** A partner reports progress. Pickup first takes the reserved stock off the shelf, then moves the order. */
  Future<Order> deliveryProgress(DeliveryProgress progress) {
    return load(progress.orderId()).compose(order -> {
      if (order == null || !progress.partnerId().equals(order.partnerId())) {
        return Future.failedFuture(new Problem(ProblemType.NOT_ASSIGNED,
          "order " + progress.orderId() + " is not assigned to partner " + progress.partnerId()));
      }
      OrderStatus to = OrderStatus.valueOf(progress.status());
      if (order.status() == to || (to == PICKED_UP && order.status() == DELIVERED)) {
        return Future.succeededFuture(order);
      }
      if (!OrderStateMachine.canMove(order.status(), to)) {
        return Future.failedFuture(invalidTransition(order, to));
      }
      String actor = "partner:" + progress.partnerId();
      if (to == PICKED_UP) {
        return metrics.timed("deduct", request(Addresses.INVENTORY_DEDUCT, order.stockCommand()))
          .compose(reply -> "DEDUCTED".equals(reply.getString("state"))
            ? move(order, Transition.to(PICKED_UP, "picked up", actor))
            : Future.failedFuture(Problem.unavailable("the order's stock could not be taken off the shelf ("
              + reply.getString("state") + "); report the pickup again")));
      }
      return move(order, Transition.to(to, "delivered", actor));
    });
  }

  /**
   * Customers may cancel until pickup, admins any order still in flight. Cancelling a cancelled order
   * answers it again; any other finished order cannot be cancelled.
   */
  Future<Order> cancel(Order order, String reason, Caller caller) {
    return cancel(order, reason, caller, 0);
  }

  private Future<Order> cancel(Order order, String reason, Caller caller, int attempt) {
    if (order.status() == CANCELLED) {
      return Future.succeededFuture(order);
    }
    if (!OrderStateMachine.canMove(order.status(), CANCELLED)) {
      return Future.failedFuture(invalidTransition(order, CANCELLED));
    }
    if (!caller.isAdmin() && (order.status() == PICKED_UP)) {
      return Future.failedFuture(new Problem(ProblemType.INVALID_TRANSITION,
        "the order was already picked up; only support can cancel it now")
        .with("status", order.status().name()));
    }
    Transition cancelled = Transition.to(CANCELLED, "cancelled: " + reason, caller.actor()).endingEarly();
    return store.transition(order, cancelled)
      .onSuccess(next -> published(order, next, cancelled))
      .compose(this::compensate)
      .recover(failure -> {
        if (failure instanceof StaleOrderException && attempt < MAX_STALE_RETRIES) {
          return load(order.id()).compose(fresh -> cancel(fresh, reason, caller, attempt + 1));
        }
        return Future.failedFuture(failure);
      });
  }

  Future<Order> fail(Order order, String reason) {
    return fail(order, reason, null);
  }

  private Future<Order> fail(Order order, String reason, JsonObject paymentSummary) {
    Transition failed = Transition.to(FAILED, reason, SAGA).withPayment(paymentSummary).endingEarly();
    return move(order, failed).compose(next -> next.compensationPending() ? compensate(next) : Future.succeededFuture(next));
  }

  /**
   * Undoes what an order that ended early did ({@link CompensationPlan}): gives stock back, refunds or
   * voids the payment, frees the partner. Each step is idempotent, recorded when it succeeds (the order's
   * history shows it), and retried by the sweeper until all have succeeded, since the order stays marked.
   */
  Future<Order> compensate(Order order) {
    List<CompensationPlan.Step> steps = CompensationPlan.stepsFor(order);
    Future<JsonObject> release = step(order, CompensationPlan.Step.RELEASE_STOCK, steps,
      () -> request(Addresses.INVENTORY_RELEASE, order.stockCommand()));
    Future<JsonObject> refund = step(order, CompensationPlan.Step.REFUND_PAYMENT, steps,
      () -> request(Addresses.PAYMENT_REFUND, new JsonObject().put("orderId", order.id())));
    Future<JsonObject> unassign = step(order, CompensationPlan.Step.CANCEL_DELIVERY, steps,
      () -> request(Addresses.DELIVERY_CANCEL, new JsonObject().put("orderId", order.id())));
    return metrics.timed("compensate", Future.all(release, refund, unassign))
      .compose(done -> {
        String paymentStatus = refund.result() == null ? null : refund.result().getString("status");
        JsonObject payment = PaymentOutcome.REFUNDED.equals(paymentStatus)
          && !paymentStatus.equals(order.payment().getString("status"))
          ? order.payment().copy().put("status", paymentStatus)
          : null;
        Future<Void> recorded = store.compensationDone(order, payment);
        if (PaymentOutcome.REFUNDED.equals(paymentStatus)) {
          // the customer is told once, however often compensation runs
          UUID eventId = UUID.nameUUIDFromBytes((order.id() + ":refunded").getBytes(StandardCharsets.UTF_8));
          recorded = recorded.compose(v -> store.notice(order, eventId, OrderNotices.ORDER_REFUNDED,
            new JsonObject().put("reason", "refunded")).map(written -> {
              if (written) {
                vertx.eventBus().publish(Addresses.ORDER_NOTICE, new JsonObject()
                  .put("orderId", order.id()).put("customerId", order.customerId()).put("kind", "REFUNDED")
                  .put("message", "your payment has been refunded").put("at", store.now().toInstant().toString()));
              }
              return null;
            }));
        }
        return recorded;
      })
      .compose(done -> load(order.id()))
      .recover(failure -> {
        LOG.warn("order {}: compensation incomplete, will retry: {}", order.id(), failure.getMessage());
        return Future.succeededFuture(order);
      });
  }

  /** Runs one compensation step if the plan has it, and records its outcome once it succeeded. */
  private Future<JsonObject> step(Order order, CompensationPlan.Step step, List<CompensationPlan.Step> plan,
                                  java.util.function.Supplier<Future<JsonObject>> work) {
    if (!plan.contains(step)) {
      return Future.succeededFuture(null);
    }
    return work.get().compose(result -> {
      String outcome = result.getString("state", result.getString("status", "DONE"));
      return store.recordStep(order, step.name(), outcome).map(result);
    });
  }

  /**
   * Commits a transition. If someone else moved the order first, answers the order as it now is, and the
   * caller carries on from there. A transition that assigned a partner to an order that has ended meanwhile
   * (cancelled while the partner was being found) frees that partner: the order's compensation ran
   * without knowing of one.
   */
  Future<Order> move(Order order, Transition transition) {
    return store.transition(order, transition)
      .onSuccess(next -> published(order, next, transition))
      .recover(failure -> failure instanceof StaleOrderException
        ? load(order.id()).compose(fresh -> freePartnerOfEnded(fresh, transition))
        : Future.failedFuture(failure));
  }

  private Future<Order> freePartnerOfEnded(Order fresh, Transition stale) {
    if (stale.partnerId() == null || fresh == null || !fresh.status().isTerminal()
      || stale.partnerId().equals(fresh.partnerId())) {
      return Future.succeededFuture(fresh);
    }
    return request(Addresses.DELIVERY_CANCEL, new JsonObject().put("orderId", fresh.id())).map(fresh)
      .onFailure(cancel -> LOG.warn("order {}: ended while partner {} was assigned, who is not freed yet: {}",
        fresh.id(), stale.partnerId(), cancel.getMessage()));
  }

  void published(Order before, Order after, Transition transition) {
    String at = Times.iso(after.updatedAt());
    OrderStatus from = before.status();
    if (transition.via() != null) {
      metrics.transitioned(transition.via());
      vertx.eventBus().publish(Addresses.ORDER_STATUS_CHANGED, new OrderStatusChanged(after.id(), after.customerId(),
        after.version() - 1, from.name(), transition.via().name(), transition.viaReason(), transition.actor(), at,
        null));
      from = transition.via();
    }
    metrics.transitioned(after.status());
    OrderStatusChanged changed = new OrderStatusChanged(after.id(), after.customerId(), after.version(),
      from.name(), after.status().name(), transition.reason(), transition.actor(), at, after.partnerId());
    vertx.eventBus().publish(Addresses.ORDER_STATUS_CHANGED, changed);
  }

  Future<Order> load(String orderId) {
    return store.find(java.util.UUID.fromString(orderId));
  }

  /** A command whose reply is JSON; {@code body} is JSON or a bus record. */
  private Future<JsonObject> request(String address, Object body) {
    return vertx.eventBus().<JsonObject>request(address, body, busOptions).map(message -> message.body());
  }

  private <T extends BusMessage> Future<T> ask(String address, BusMessage body, Class<T> reply) {
    return BusMessage.request(vertx.eventBus(), address, body, busOptions, reply);
  }

  static Problem invalidTransition(Order order, OrderStatus to) {
    return new Problem(ProblemType.INVALID_TRANSITION,
      "order " + order.id() + " is " + order.status() + " and cannot move to " + to)
      .with("status", order.status().name())
      .with("allowed", new io.vertx.core.json.JsonArray(OrderStateMachine.next(order.status()).stream().map(Enum::name).toList()));
  }
}
