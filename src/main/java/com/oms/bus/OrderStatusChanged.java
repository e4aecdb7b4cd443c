package com.oms.bus;

/**
 * Published after every committed transition; {@code seq} is the order's version after it, and
 * {@code partnerId} the partner who holds the order after it (null while none does).
 */
public record OrderStatusChanged(String orderId, String customerId, int seq, String from, String to,
                                 String reason, String actor, String at, String partnerId) implements BusMessage {
}
