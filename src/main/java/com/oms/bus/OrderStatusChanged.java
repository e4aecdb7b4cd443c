package com.oms.bus;

/** Published after every committed transition; {@code seq} is the order's version after it. */
public record OrderStatusChanged(String orderId, String customerId, int seq, String from, String to,
                                 String reason, String actor, String at) implements BusMessage {
}
