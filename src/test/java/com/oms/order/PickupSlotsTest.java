package com.oms.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.order.PickupSlots.StoreHours;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PickupSlotsTest {

  private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
  // 10:00 in Kolkata
  private static final Instant NOW = Instant.parse("2026-11-25T04:30:00Z");
  private static final Duration HORIZON = Duration.ofHours(72);

  @Test
  @DisplayName("a slot is refused before the order can be ready, beyond the horizon, or while the store is closed")
  void refusals() {
    StoreHours daytime = new StoreHours(LocalTime.of(9, 0), LocalTime.of(22, 0), KOLKATA, Duration.ofMinutes(20));
    assertThat(PickupSlots.refusal(NOW.plus(Duration.ofMinutes(30)), NOW, daytime, HORIZON)).isNull();
    assertThat(PickupSlots.refusal(NOW.plus(Duration.ofMinutes(10)), NOW, daytime, HORIZON)).contains("20 minutes");
    assertThat(PickupSlots.refusal(NOW.plus(Duration.ofHours(73)), NOW, daytime, HORIZON)).contains("72 hours");
    // 23:00 in Kolkata
    assertThat(PickupSlots.refusal(NOW.plus(Duration.ofHours(13)), NOW, daytime, HORIZON)).contains("closed");
  }

  @Test
  @DisplayName("hours across midnight and round-the-clock stores")
  void openingHours() {
    StoreHours night = new StoreHours(LocalTime.of(18, 0), LocalTime.of(2, 0), KOLKATA, Duration.ZERO);
    StoreHours always = new StoreHours(LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, KOLKATA, Duration.ZERO);
    assertThat(night.openAt(Instant.parse("2026-11-25T19:30:00Z"))).as("01:00 local").isTrue();
    assertThat(night.openAt(Instant.parse("2026-11-25T06:30:00Z"))).as("12:00 local").isFalse();
    assertThat(night.openAt(Instant.parse("2026-11-25T13:00:00Z"))).as("18:30 local").isTrue();
    assertThat(always.openAt(Instant.parse("2026-11-25T21:00:00Z"))).isTrue();
  }

  @Test
  @DisplayName("an ASAP order is expected at the store when it is ready; a scheduled one at its slot")
  void expectedPickup() {
    StoreHours store = new StoreHours(LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, KOLKATA, Duration.ofMinutes(15));
    assertThat(PickupSlots.expectedPickup(null, NOW, store)).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
    assertThat(PickupSlots.expectedPickup(NOW.plusSeconds(7200), NOW, store)).isEqualTo(NOW.plusSeconds(7200));
  }
}
