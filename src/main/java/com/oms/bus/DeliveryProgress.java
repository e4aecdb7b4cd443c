package com.oms.bus;

/** The assigned partner reports {@code PICKED_UP} or {@code DELIVERED} for an order. */
public record DeliveryProgress(String orderId, String partnerId, String status) implements BusMessage {
}
