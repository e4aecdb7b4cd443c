package com.oms.failure;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.dev.bench.FaultSuite;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault suite in its short form: the same faults and checks as scripts/fault-suite.sh, shorter phases. */
class FaultSuiteTest {

  @Test
  @Timeout(300)
  @DisplayName("under load: SIGKILL and restart, Redis restarted empty, Postgres restarted; every invariant holds")
  void shortFaultSuite() throws Exception {
    FaultSuite.Result result = new FaultSuite(new FaultSuite.Settings(Duration.ofSeconds(4), 20, Duration.ofSeconds(90))).run();

    assertThat(result.violations()).isEmpty();
    assertThat(result.figures().get("orders acknowledged (201)")).isPositive();
    assertThat(result.figures().get("acknowledged orders missing from Postgres")).isZero();
  }
}
