package com.oms.order;

import io.vertx.core.json.JsonObject;

/**
 * One move of an order: where to, why, by whom, what else changes with it, and which customer notice
 * (if any) the outbox gets in the same transaction.
 */
record Transition(OrderStatus to, String reason, String actor, String partnerId, String failureReason,
                  JsonObject payment, boolean compensationPending, String notice) {

  static Transition to(OrderStatus to, String reason, String actor) {
    return new Transition(to, reason, actor, null, null, null, false, OrderNotices.noticeFor(to));
  }

  Transition withPartner(String partner) {
    return new Transition(to, reason, actor, partner, failureReason, payment, compensationPending, notice);
  }

  Transition withPayment(JsonObject summary) {
    return new Transition(to, reason, actor, partnerId, failureReason, summary, compensationPending, notice);
  }

  /** Ends the order early: the failure reason is kept and compensation becomes owed. */
  Transition endingEarly() {
    return new Transition(to, reason, actor, partnerId, reason, payment, true, notice);
  }
}
