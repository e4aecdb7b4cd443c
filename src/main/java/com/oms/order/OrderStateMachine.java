package com.oms.order;

import static com.oms.order.OrderStatus.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one authority on which status may follow which. Everything that moves an order asks it first,
 * and {@code GET /v1/order-states} publishes it as it stands.
 */
public final class OrderStateMachine {

  private static final Map<OrderStatus, Set<OrderStatus>> ALLOWED = new EnumMap<>(OrderStatus.class);

  static {
    allow(CREATED, PAYMENT_PENDING, FAILED, CANCELLED);
    allow(PAYMENT_PENDING, PAYMENT_SUCCESS, FAILED, CANCELLED);
    allow(PAYMENT_SUCCESS, INVENTORY_RESERVED, FAILED, CANCELLED);
    allow(INVENTORY_RESERVED, DELIVERY_PARTNER_ASSIGNED, FAILED, CANCELLED);
    // back to INVENTORY_RESERVED when the partner declines or misses the pickup: the order waits for the next
    allow(DELIVERY_PARTNER_ASSIGNED, PICKED_UP, INVENTORY_RESERVED, FAILED, CANCELLED);
    allow(PICKED_UP, DELIVERED, FAILED, CANCELLED);
    allow(DELIVERED);
    allow(CANCELLED);
    allow(FAILED);
  }

  private OrderStateMachine() {
  }

  private static void allow(OrderStatus from, OrderStatus... to) {
    Set<OrderStatus> targets = EnumSet.noneOf(OrderStatus.class);
    targets.addAll(List.of(to));
    ALLOWED.put(from, Collections.unmodifiableSet(targets));
  }

  public static boolean canMove(OrderStatus from, OrderStatus to) {
    return ALLOWED.get(from).contains(to);
  }

  public static Set<OrderStatus> next(OrderStatus from) {
    return ALLOWED.get(from);
  }

  /** Throws {@link IllegalTransitionException} unless {@code from → to} is in the table. */
  public static void check(OrderStatus from, OrderStatus to) {
    if (!canMove(from, to)) {
      throw new IllegalTransitionException(from, to);
    }
  }

  /** Every status from which an order may still be cancelled: what the expiry scanner may touch. */
  public static Set<OrderStatus> cancellableFrom() {
    Set<OrderStatus> result = EnumSet.noneOf(OrderStatus.class);
    ALLOWED.forEach((from, targets) -> {
      if (targets.contains(CANCELLED)) {
        result.add(from);
      }
    });
    return result;
  }

  public static JsonObject describe() {
    JsonArray transitions = new JsonArray();
    for (OrderStatus from : OrderStatus.values()) {
      JsonArray to = new JsonArray();
      ALLOWED.get(from).forEach(s -> to.add(s.name()));
      transitions.add(new JsonObject().put("from", from.name()).put("to", to));
    }
    JsonArray states = new JsonArray();
    JsonArray terminal = new JsonArray();
    for (OrderStatus status : OrderStatus.values()) {
      states.add(status.name());
      if (status.isTerminal()) {
        terminal.add(status.name());
      }
    }
    return new JsonObject()
      .put("states", states)
      .put("initial", CREATED.name())
      .put("terminal", terminal)
      .put("transitions", transitions);
  }

  public static final class IllegalTransitionException extends RuntimeException {
    private final OrderStatus from;
    private final OrderStatus to;

    public IllegalTransitionException(OrderStatus from, OrderStatus to) {
      super("an order in " + from + " cannot move to " + to);
      this.from = from;
      this.to = to;
    }

    public OrderStatus from() {
      return from;
    }

    public OrderStatus to() {
      return to;
    }
  }
}
