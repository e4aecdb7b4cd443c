package com.oms.dev.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.dev.bench.LoadTest.Op;
import com.oms.dev.bench.LoadTest.RunResult;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load-test harness against the service as its own process, in a short run of every operation. */
class LoadTestHarnessTest {

  @Test
  @Timeout(300)
  @DisplayName("an open-loop run of every operation sends on schedule, completes full lifecycles, and its invariant check holds and can fail")
  void shortMixedRun() throws Exception {
    Map<String, String> env = Map.of("LOAD_PICKUP_AFTER", "PT0.2S", "LOAD_DELIVER_AFTER", "PT0.2S");
    LoadTest.Settings settings = LoadTest.Settings.fromEnv(Map.of("LOAD_SETTLE_SECONDS", "60"));
    // enough customers that none is likely to have five orders unpaid at once (the cap answers 429) when
    // a slow machine stretches the payments of a 4 s run: with 20, one customer in a CI run did
    LoadWorld world = new LoadWorld(2, 5, 500, 3, 1_000_000, 0);
    try (LoadTest test = LoadTest.create(settings, world, env)) {
      world.seed(test.http(), subject -> test.tokens().mint(subject, "admin"), p -> test.tokens().mint(p, "partner"));
      Instant started = Instant.now();

      RunResult result = test.runAt(20, Duration.ofSeconds(4), Map.of(Op.PLACE, 2, Op.LIFECYCLE, 2, Op.READ, 1, Op.CANCEL, 1));

      assertThat(result.scheduled()).as("open loop: one request per 1/rate, whatever the answers").isEqualTo(80);
      assertThat(result.completed()).isEqualTo(80);
      assertThat(result.unexpected()).as("answers other than the intended ones: " + result.answers()).isZero();
      assertThat(result.latency().getTotalCount()).isEqualTo(80);
      assertThat(result.byOp().get(Op.LIFECYCLE).getTotalCount()).isPositive();
      // each part of the world is measured from its own processes; Redis's few commands of a 4 s run may
      // stay under the kernel's 10 ms tick
      assertThat(result.worldCpuShares()).containsOnlyKeys(LoadTest.WORLD_PROCESSES);
      assertThat(result.worldCpuShares().get("service")).as("service").isPositive();
      assertThat(result.worldCpuShares().get("Postgres")).as("Postgres, with its backends").isPositive();
      assertThat(LoadTest.cpuShares(result)).contains("Postgres").contains("Redis").contains("everything else (kernel)");
      java.nio.file.Path histogram = java.nio.file.Files.createTempFile("loadtest", ".hgrm");
      LoadTest.writeHistogram(result, histogram);
      assertThat(java.nio.file.Files.readString(histogram)).contains("Value").contains("Percentile").contains("#[Mean");

      // the ramp goes up step by step while p99 stays in bound, and stops at the first step over it
      Map<Op, Integer> place = Map.of(Op.PLACE, 1);
      LoadTest.Ramp generous = new LoadTest.Ramp(5, 5, 10, Duration.ofSeconds(2), 60_000);
      java.util.List<RunResult> steps = test.ramp(generous, place);
      assertThat(steps).extracting(RunResult::targetRate).containsExactly(5.0, 10.0);
      assertThat(LoadTest.best(steps, generous).targetRate()).isEqualTo(10.0);
      LoadTest.Ramp impossible = new LoadTest.Ramp(5, 5, 10, Duration.ofSeconds(2), 0);
      java.util.List<RunResult> stopped = test.ramp(impossible, place);
      assertThat(stopped).hasSize(1);
      assertThat(LoadTest.best(stopped, impossible)).isNull();

      assertThat(test.check(started)).as("the invariants hold after the run").isTrue();
      Pool pool = test.database();
      Redis redis = Redis.createClient(test.vertx(), test.service().redisUrl());
      try {
        double[] lifecycles = LoadTest.printLifecycles(pool, started);
        assertThat(lifecycles[0]).as("full lifecycles placed").isPositive();
        assertThat(lifecycles[1]).as("every one delivered by the simulated partners").isEqualTo(lifecycles[0]);

        // the check must be able to fail: drift one SKU's Redis figures away from Postgres
        String key = new com.oms.inventory.InventoryKeys("oms").stock(LoadWorld.store(0, false), LoadWorld.sku(0));
        redis.send(Request.cmd(Command.HINCRBY).arg(key).arg("onHand").arg(-7)).await();
        Invariants.Report drifted = Invariants.check(pool, redis, "oms", java.util.List.of(), Invariants.SERVICE_DRIVEN);
        assertThat(drifted.passed()).isFalse();
        assertThat(drifted.figures().get("SKUs where Redis differs from Postgres")).isEqualTo(1L);
      } finally {
        redis.close();
      }
    }
  }
}
