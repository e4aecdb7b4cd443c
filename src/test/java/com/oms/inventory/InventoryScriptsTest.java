package com.oms.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.inventory.InventoryScripts.Script;
import com.oms.testing.TestStack;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scripts marked {@code runsTwiceSafely} go to Redis in batches, and a failed batch is sent again one
 * script at a time, so a script Redis already ran may run a second time. On a real Redis: for every marked
 * script, in each state it meets in service, a second run with the same arguments leaves the stock and the
 * hold's record as the first run left them, and answers what the caller takes to mean the same.
 */
class InventoryScriptsTest {

  private static final List<String> SKUS = List.of("sku-a", "sku-b");
  private static final List<String> QUANTITIES = List.of("3", "2");
  private static final InventoryKeys KEYS = new InventoryKeys("scripts-test-" + UUID.randomUUID());

  private static Vertx vertx;
  private static Redis redis;

  /**
   * One state a script meets: each line's stock on hand, the counter (held or reserved) in which the order's
   * own quantities already stand, if any, and the hold's record, if any.
   */
  private record Scenario(String name, Script script, int onHand, String countedAs, String holdState,
                          List<String> extraArgs) {
  }

  private static final List<Scenario> SCENARIOS = List.of(
    new Scenario("a new hold", Script.HOLD, 10, null, null, List.of(expiry())),
    new Scenario("a hold short of stock", Script.HOLD, 1, null, null, List.of(expiry())),
    new Scenario("a hold a rebuild counted", Script.HOLD, 10, "held", "PENDING", List.of(expiry())),
    new Scenario("a commit of a hold", Script.COMMIT, 10, "held", "HELD", List.of()),
    new Scenario("a release of a hold", Script.RELEASE, 10, "held", "HELD", List.of("60")),
    new Scenario("a release of a reservation", Script.RELEASE, 10, "reserved", "RESERVED", List.of("60")),
    new Scenario("a release of an order never held", Script.RELEASE, 10, null, null, List.of("60")),
    new Scenario("a rejection a rebuild counted", Script.REJECT, 10, "held", "PENDING", List.of()),
    new Scenario("a deduction of a reservation", Script.DEDUCT, 10, "reserved", "RESERVED", List.of("60")),
    new Scenario("a ledger's closing of a released record", Script.MARK_CLOSED, 10, null, "RELEASED",
      List.of("DEDUCTED")));

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, TestStack.get().redisUrl());
  }

  @AfterAll
  static void stop() {
    redis.close().await();
    vertx.close().await();
  }

  @Test
  @DisplayName("every script that may go in a batch has its states checked here")
  void everyBatchedScriptIsCovered() {
    Set<Script> batched = EnumSet.noneOf(Script.class);
    Arrays.stream(Script.values()).filter(script -> script.runsTwiceSafely).forEach(batched::add);
    Set<Script> covered = SCENARIOS.stream().map(Scenario::script).collect(Collectors.toSet());
    assertThat(covered).containsAll(batched);
  }

  @Test
  @DisplayName("a batched script run twice leaves the stock and the hold as one run does, and answers alike")
  void secondRunChangesNothing() {
    for (Scenario scenario : SCENARIOS) {
      assertThat(scenario.script().runsTwiceSafely).as(scenario.name()).isTrue();
      String store = "store-" + UUID.randomUUID();
      String order = UUID.randomUUID().toString();
      prepare(store, order, scenario);

      Response first = run(scenario, store, order);
      Map<String, Map<String, String>> afterOne = state(store, order);
      Response second = run(scenario, store, order);
      Map<String, Map<String, String>> afterTwo = state(store, order);

      assertThat(afterTwo).as(scenario.name() + ": state after a second run").isEqualTo(afterOne);
      assertThat(meaning(scenario.script(), second)).as(scenario.name() + ": what the second answer means")
        .isEqualTo(meaning(scenario.script(), first));
    }
  }

  @Test
  @DisplayName("the check tells: setting stock by a delta twice applies it twice, so set_stock is never batched")
  void checkTellsAScriptThatIsNotSafe() {
    String store = "store-" + UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    prepare(store, order, new Scenario("stock", Script.SET_STOCK, 10, null, null, List.of()));
    List<String> keys = List.of(KEYS.ops(store), KEYS.stock(store, SKUS.get(0)));

    Script.SET_STOCK.script.run(redis, keys, List.of("ADD", "5")).await();
    Map<String, Map<String, String>> afterOne = state(store, order);
    Script.SET_STOCK.script.run(redis, keys, List.of("ADD", "5")).await();

    assertThat(state(store, order)).isNotEqualTo(afterOne);
    assertThat(Script.SET_STOCK.runsTwiceSafely).isFalse();
  }

  private static void prepare(String store, String order, Scenario scenario) {
    send(Request.cmd(Command.SET).arg(KEYS.ops(store)).arg("0"));
    for (int i = 0; i < SKUS.size(); i++) {
      String own = QUANTITIES.get(i);
      send(Request.cmd(Command.HSET).arg(KEYS.stock(store, SKUS.get(i)))
        .arg("onHand").arg(String.valueOf(scenario.onHand()))
        .arg("held").arg("held".equals(scenario.countedAs()) ? own : "0")
        .arg("reserved").arg("reserved".equals(scenario.countedAs()) ? own : "0"));
    }
    if (scenario.holdState() != null) {
      send(Request.cmd(Command.HSET).arg(KEYS.hold(store, order)).arg("state").arg(scenario.holdState()));
    }
  }

  private static Response run(Scenario scenario, String store, String order) {
    if (scenario.script() == Script.MARK_CLOSED) {
      return scenario.script().script.run(redis, List.of(KEYS.hold(store, order)), scenario.extraArgs()).await();
    }
    List<String> keys = new ArrayList<>(List.of(KEYS.ops(store), KEYS.hold(store, order)));
    SKUS.forEach(sku -> keys.add(KEYS.stock(store, sku)));
    List<String> args = new ArrayList<>(QUANTITIES);
    args.addAll(scenario.extraArgs());
    return scenario.script().script.run(redis, keys, args).await();
  }

  /** The stock hashes and the hold's record; not the store's ops counter, a fence that only moves forward. */
  private static Map<String, Map<String, String>> state(String store, String order) {
    Map<String, Map<String, String>> state = new TreeMap<>();
    for (String sku : SKUS) {
      state.put(sku, hash(KEYS.stock(store, sku)));
    }
    state.put("hold", hash(KEYS.hold(store, order)));
    return state;
  }

  private static Map<String, String> hash(String key) {
    Response fields = send(Request.cmd(Command.HGETALL).arg(key));
    Map<String, String> hash = new TreeMap<>();
    for (String field : fields.getKeys()) {
      hash.put(field, fields.get(field).toString());
    }
    return hash;
  }

  /** What the inventory verticle makes of an answer (see InventoryVerticle#holdAnswered for the hold's). */
  private static String meaning(Script script, Response reply) {
    String outcome = InventoryScripts.outcome(reply);
    if (script == Script.HOLD && "EXISTS".equals(outcome)) {
      return "RELEASED".equals(reply.get(1).toString()) ? "refused: released" : "HELD";
    }
    if (script == Script.HOLD && "SHORT".equals(outcome)) {
      return reply.toString();
    }
    // reject's and mark_closed's answers only report what they corrected; their callers go on either way
    return script == Script.REJECT || script == Script.MARK_CLOSED ? "ignored" : outcome;
  }

  private static Response send(Request request) {
    return redis.send(request).await();
  }

  /** When the hold lapses: the scripts store it and never compare it with the time. */
  private static String expiry() {
    return "4102444800000";
  }
}
