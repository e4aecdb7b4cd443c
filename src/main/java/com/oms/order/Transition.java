package com.oms.order;

import io.vertx.core.json.JsonObject;

/**
 * One move of an order: where to, why, by whom, what else changes with it, and which customer notice
 * (if any) the outbox gets in the same transaction. A move may pass through one status on the way
 * ({@code via}, with its own reason): both steps are validated and recorded in the history, written
 * in one statement when the service took both at once (stock reserved, then a partner assigned).
 */
record Transition(OrderStatus to, String reason, String actor, String partnerId, String failureReason,
                  JsonObject payment, boolean compensationPending, String notice, OrderStatus via, String viaReason) {

  static Transition to(OrderStatus to, String reason, String actor) {
    return new Transition(to, reason, actor, null, null, null, false, OrderNotices.noticeFor(to), null, null);
  }

  Transition withPartner(String partner) {
    return new Transition(to, reason, actor, partner, failureReason, payment, compensationPending, notice, via, viaReason);
  }

  Transition withPayment(JsonObject summary) {
    return new Transition(to, reason, actor, partnerId, failureReason, summary, compensationPending, notice, via, viaReason);
  }

  /** Ends the order early: the failure reason is kept and compensation becomes owed. */
  Transition endingEarly() {
    return new Transition(to, reason, actor, partnerId, reason, payment, true, notice, via, viaReason);
  }

  /** Passes through {@code status} first, for {@code reason}; it tells the customer nothing of its own. */
  Transition via(OrderStatus status, String reason) {
    return new Transition(to, this.reason, actor, partnerId, failureReason, payment, compensationPending, notice, status,
      reason);
  }
}
