package com.oms.order;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Whether a requested pickup time can be served: not before the store can have the order ready, not
 * further ahead than the booking horizon, and while the store is open (in the store's time zone).
 */
final class PickupSlots {

  record StoreHours(LocalTime opens, LocalTime closes, ZoneId zone, Duration preparation) {

    boolean openAt(Instant instant) {
      if (opens.equals(closes)) {
        return true;
      }
      LocalTime local = ZonedDateTime.ofInstant(instant, zone).toLocalTime();
      return opens.isBefore(closes)
        ? !local.isBefore(opens) && local.isBefore(closes)
        : !local.isBefore(opens) || local.isBefore(closes); // open across midnight
    }
  }

  private PickupSlots() {
  }

  /** Null when {@code pickupAt} can be served, else why not. */
  static String refusal(Instant pickupAt, Instant now, StoreHours store, Duration horizon) {
    Instant ready = now.plus(store.preparation());
    if (pickupAt.isBefore(ready)) {
      return "the store needs " + store.preparation().toMinutes() + " minutes to prepare the order; pick it up at "
        + ready + " or later";
    }
    if (pickupAt.isAfter(now.plus(horizon))) {
      return "pickups can be booked at most " + horizon.toHours() + " hours ahead";
    }
    if (!store.openAt(pickupAt)) {
      return "the store is closed then (open " + store.opens() + " to " + store.closes() + ", " + store.zone() + ")";
    }
    return null;
  }

  /** When the partner should be at the store: the requested slot, or when an ASAP order will be ready. */
  static Instant expectedPickup(Instant pickupAt, Instant placedAt, StoreHours store) {
    return pickupAt != null ? pickupAt : placedAt.plus(store.preparation());
  }
}
