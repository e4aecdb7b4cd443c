package com.oms.order;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Orders by status, transitions, and how long each saga step takes. */
final class OrderMetrics {

  private final MeterRegistry registry;
  private final Map<String, Timer> stepTimers = new ConcurrentHashMap<>();
  private final Map<OrderStatus, Counter> transitions = new EnumMap<>(OrderStatus.class);
  private final Map<OrderStatus, AtomicLong> byStatus = new EnumMap<>(OrderStatus.class);

  OrderMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (OrderStatus status : OrderStatus.values()) {
      transitions.put(status, Counter.builder("oms.order.transitions")
        .description("Order transitions committed, by target status")
        .tag("to", status.name())
        .register(registry));
      if (status.isTerminal()) {
        continue;
      }
      AtomicLong count = new AtomicLong();
      byStatus.put(status, count);
      Gauge.builder("oms.orders", count, AtomicLong::get)
        .description("Orders in flight in each status, as last counted in Postgres (finished ones: oms.order.transitions)")
        .tag("status", status.name())
        .register(registry);
    }
  }

  void transitioned(OrderStatus to) {
    transitions.get(to).increment();
  }

  void counted(Map<String, Long> counts) {
    byStatus.forEach((status, gauge) -> gauge.set(counts.getOrDefault(status.name(), 0L)));
  }

  /** Times a saga step, successful or not. */
  <T> Future<T> timed(String step, Future<T> work) {
    long start = System.nanoTime();
    Timer timer = stepTimers.computeIfAbsent(step, name -> Timer.builder("oms.saga.step")
      .description("Duration of one saga step: an event bus round trip to the domain that performs it, or a write of the order")
      .tag("step", name)
      .publishPercentiles(0.5, 0.99)
      .register(registry));
    return work.andThen(ar -> timer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS));
  }
}
