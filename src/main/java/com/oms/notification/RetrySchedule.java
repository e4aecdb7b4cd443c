package com.oms.notification;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with jitter (half fixed, half random), capped, and a limit on attempts. */
final class RetrySchedule {

  private final Duration base;
  private final Duration cap;
  private final int maxAttempts;
  private final RandomGenerator random;

  RetrySchedule(Duration base, Duration cap, int maxAttempts, RandomGenerator random) {
    this.base = base;
    this.cap = cap;
    this.maxAttempts = maxAttempts;
    this.random = random;
  }

  boolean exhausted(int attemptsMade) {
    return attemptsMade >= maxAttempts;
  }

  /** The wait after attempt number {@code attemptsMade} (1-based) failed. */
  Duration delayAfter(int attemptsMade) {
    long ceiling = Math.min(cap.toMillis(), base.toMillis() * (1L << Math.min(attemptsMade - 1, 30)));
    return Duration.ofMillis(ceiling / 2 + random.nextLong(ceiling / 2 + 1));
  }
}
