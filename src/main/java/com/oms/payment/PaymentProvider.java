package com.oms.payment;

import com.oms.bus.ChargeRequest;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Map;

/**
 * One payment method. An implementation talks to its gateway (or, for the wallet, to Postgres); the
 * payment verticle keeps the durable record, passes the order as idempotency key on every call, and
 * guarantees each order is charged and refunded at most once. To add a method: implement this and a
 * {@link PaymentProviderFactory}, and list the factory in
 * {@code META-INF/services/com.oms.payment.PaymentProviderFactory}.
 */
public interface PaymentProvider {

  /** The API's name of the method, e.g. {@code CREDIT_CARD}. */
  String method();

  /**
   * Starts or makes the charge, once per {@code request.orderId()}: repeating the call must not charge
   * again. Answers SUCCEEDED, DECLINED, FAILED (the gateway could not decide; nothing was charged), or
   * PENDING with a next action for the customer (the outcome arrives by webhook).
   */
  Future<ProviderResult> charge(ChargeRequest request);

  /** What the gateway knows of the order's charge: a result, or status NONE if it never saw it. */
  Future<ProviderResult> status(ChargeRequest request);

  /** Refunds the order's charge {@code reference} in full, once per order. Answers REFUNDED. */
  Future<ProviderResult> refund(ChargeRequest request, String reference);

  /** The path segment of this provider's webhook ({@code POST /v1/payments/webhooks/{name}}), or null. */
  default String webhookName() {
    return null;
  }

  /** Verifies a webhook's signature and parses it; throws when it is not genuine or not fresh. */
  default WebhookEvent webhook(String signatureHeader, byte[] body, Instant now) throws WebhookSignature.Rejected {
    throw new WebhookSignature.Rejected(method() + " has no webhooks");
  }

  /**
   * A gateway's answer. status: SUCCEEDED, AUTHORIZED, DECLINED, FAILED, PENDING (see nextAction),
   * NONE (no such charge), REFUNDED.
   */
  record ProviderResult(String status, String reference, String declineCode, Map<String, Object> nextAction) {

    public static ProviderResult none() {
      return new ProviderResult("NONE", null, null, null);
    }

    public static ProviderResult of(String status, String reference) {
      return new ProviderResult(status, reference, null, null);
    }
  }

  /**
   * A verified webhook event. status is where it moves the payment: AUTHORIZED, SUCCEEDED, DECLINED or
   * FAILED.
   */
  record WebhookEvent(String eventId, String type, String orderId, String status, String reference,
                      String declineCode) {
  }
}
