package com.oms.order;

/** Which transitions tell the customer something, and under which event type. */
final class OrderNotices {

  static final String ORDER_CONFIRMED = "ORDER_CONFIRMED";
  static final String PARTNER_ASSIGNED = "PARTNER_ASSIGNED";
  static final String ORDER_PICKED_UP = "ORDER_PICKED_UP";
  static final String ORDER_DELIVERED = "ORDER_DELIVERED";
  static final String ORDER_CANCELLED = "ORDER_CANCELLED";
  static final String ORDER_FAILED = "ORDER_FAILED";
  static final String ORDER_DELAYED = "ORDER_DELAYED";
  static final String ORDER_REFUNDED = "ORDER_REFUNDED";
  static final String PARTNER_CHANGED = "PARTNER_CHANGED";

  private OrderNotices() {
  }

  static String noticeFor(OrderStatus to) {
    return switch (to) {
      case PAYMENT_SUCCESS -> ORDER_CONFIRMED;
      case DELIVERY_PARTNER_ASSIGNED -> PARTNER_ASSIGNED;
      case PICKED_UP -> ORDER_PICKED_UP;
      case DELIVERED -> ORDER_DELIVERED;
      case CANCELLED -> ORDER_CANCELLED;
      case FAILED -> ORDER_FAILED;
      default -> null;
    };
  }
}
