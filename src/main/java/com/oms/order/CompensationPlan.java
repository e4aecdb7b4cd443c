package com.oms.order;

import java.util.ArrayList;
import java.util.List;

/** Which steps of an order that ended early must be undone, from what the order went through. */
final class CompensationPlan {

  enum Step { RELEASE_STOCK, REFUND_PAYMENT, CANCEL_DELIVERY }

  private CompensationPlan() {
  }

  /**
   * Stock is always given back (a hold may exist even if its answer was lost; releasing none is a no-op
   * that also blocks a late hold). The payment is refunded or voided unless it was declined or never
   * started. The delivery is cancelled when a partner holds or held the order.
   */
  static List<Step> stepsFor(Order order) {
    List<Step> steps = new ArrayList<>(List.of(Step.RELEASE_STOCK));
    String payment = order.payment().getString("status");
    boolean paymentMayExist = !"DECLINED".equals(payment) && !"FAILED".equals(payment)
      && !(order.status() == OrderStatus.FAILED && order.failureReason() != null
        && order.failureReason().startsWith(OrderSaga.PLACEMENT_INCOMPLETE));
    if (paymentMayExist) {
      steps.add(Step.REFUND_PAYMENT);
    }
    if (order.partnerId() != null) {
      steps.add(Step.CANCEL_DELIVERY);
    }
    return steps;
  }
}
