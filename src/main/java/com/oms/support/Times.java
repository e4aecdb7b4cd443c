package com.oms.support;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

public final class Times {

  private Times() {
  }

  /** Now, to the microsecond: what Postgres keeps, so a time the service holds equals the one it stored. */
  public static OffsetDateTime now(Clock clock) {
    return OffsetDateTime.ofInstant(clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** ISO-8601 in UTC with a Z, as the API writes every timestamp. */
  public static String iso(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
