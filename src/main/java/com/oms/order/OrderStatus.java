package com.oms.order;

public enum OrderStatus {
  CREATED,
  PAYMENT_PENDING,
  PAYMENT_SUCCESS,
  INVENTORY_RESERVED,
  DELIVERY_PARTNER_ASSIGNED,
  PICKED_UP,
  DELIVERED,
  CANCELLED,
  FAILED;

  public boolean isTerminal() {
    return this == DELIVERED || this == CANCELLED || this == FAILED;
  }
}
