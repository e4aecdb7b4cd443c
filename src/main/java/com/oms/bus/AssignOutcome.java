package com.oms.bus;

/** {@code assigned == false} means no partner is free right now; the saga tries again later. */
public record AssignOutcome(boolean assigned, String partnerId) implements BusMessage {
}
