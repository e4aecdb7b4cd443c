package com.oms.support;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

public final class Times {

  private Times() {
  }

  public static OffsetDateTime now(Clock clock) {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** ISO-8601 in UTC with a Z, as the API writes every timestamp. */
  public static String iso(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
