package com.oms.bus;

import java.util.Map;

/**
 * Where an order's payment stands: PENDING (waiting for the gateway or the customer), SUCCEEDED,
 * DECLINED (the customer's instrument said no), FAILED (the gateway could not decide), REFUNDED.
 */
public record PaymentOutcome(String orderId, String status, String reference, String declineCode,
                             Map<String, Object> nextAction) implements BusMessage {

  public static final String PENDING = "PENDING";
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String DECLINED = "DECLINED";
  public static final String FAILED = "FAILED";
  public static final String REFUNDED = "REFUNDED";

  public boolean succeeded() {
    return SUCCEEDED.equals(status);
  }

  public boolean isFinalFailure() {
    return DECLINED.equals(status) || FAILED.equals(status);
  }
}
