package com.oms.payment;

import com.oms.bus.ChargeRequest;
import io.vertx.core.Future;

/**
 * One payment method. Implementations talk to their gateway; the payment verticle keeps the durable
 * record and guarantees each order is charged at most once, by passing the order id as idempotency key.
 */
public interface PaymentProvider {

  /** The API's name of the method, e.g. {@code CREDIT_CARD}. */
  String method();

  /** Charges once per {@code request.orderId()}: repeating the call must not charge again. */
  Future<ProviderResult> charge(ChargeRequest request);

  /** What the gateway knows of the order's charge, or a result with status {@code NONE} if nothing. */
  Future<ProviderResult> status(String orderId);

  /** Refunds the charge {@code reference} of the order in full, once. */
  Future<ProviderResult> refund(String orderId, String reference);

  /**
   * A gateway's answer. status: SUCCEEDED, DECLINED, FAILED (the gateway could not decide), PENDING (the
   * customer must act, see nextAction), NONE (the gateway has no such charge), REFUNDED.
   */
  record ProviderResult(String status, String reference, String declineCode, java.util.Map<String, Object> nextAction) {

    public static ProviderResult none() {
      return new ProviderResult("NONE", null, null, null);
    }
  }
}
