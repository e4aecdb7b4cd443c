package com.oms.payment;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  private static final byte[] BODY = "{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Test
  @DisplayName("a signature made with the secret over the timestamp and the exact body verifies")
  void genuine() {
    String header = WebhookSignature.sign("s3cret", NOW, BODY);
    assertThatCode(() -> WebhookSignature.verify("s3cret", header, BODY, NOW.plusSeconds(299))).doesNotThrowAnyException();
    assertThatCode(() -> WebhookSignature.verify("s3cret", header, BODY, NOW.minusSeconds(299))).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("another secret, one changed byte, a stale or future timestamp, or a malformed header are refused")
  void refused() {
    String header = WebhookSignature.sign("s3cret", NOW, BODY);
    byte[] changed = BODY.clone();
    changed[3] ^= 1;
    assertThatThrownBy(() -> WebhookSignature.verify("other", header, BODY, NOW)).hasMessageContaining("does not match");
    assertThatThrownBy(() -> WebhookSignature.verify("s3cret", header, changed, NOW)).hasMessageContaining("does not match");
    assertThatThrownBy(() -> WebhookSignature.verify("s3cret", header, BODY, NOW.plus(Duration.ofMinutes(6))))
      .hasMessageContaining("tolerance");
    assertThatThrownBy(() -> WebhookSignature.verify("s3cret", header, BODY, NOW.minus(Duration.ofMinutes(6))))
      .hasMessageContaining("tolerance");
    for (String bad : new String[] {null, "", "v1=abc", "t=1", "t=x,v1=00", "t=" + NOW.getEpochSecond() + ",v1=zz"}) {
      assertThatThrownBy(() -> WebhookSignature.verify("s3cret", bad, BODY, NOW)).isInstanceOf(WebhookSignature.Rejected.class);
    }
  }
}
