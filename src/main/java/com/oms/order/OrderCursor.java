package com.oms.order;

import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/** Keyset position in the newest-first order list: the (createdAt, orderId) of the last row served. */
record OrderCursor(OffsetDateTime createdAt, UUID orderId) {

  /** Before every real order: the first page. */
  static final OrderCursor START = new OrderCursor(
    OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC), new UUID(-1L, -1L));

  static OrderCursor after(Order order) {
    return new OrderCursor(order.createdAt(), order.orderId());
  }

  String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt.toInstant());
    String plain = micros + "|" + orderId;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  static OrderCursor decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return START;
    }
    try {
      String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = plain.indexOf('|');
      long micros = Long.parseLong(plain.substring(0, bar));
      Instant at = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
      return new OrderCursor(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), UUID.fromString(plain.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw new Problem(ProblemType.VALIDATION_FAILED, "cursor is not one this service issued");
    }
  }
}
