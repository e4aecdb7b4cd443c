package com.oms.inventory;

import com.oms.support.RedisScript;
import com.oms.support.RedisTickBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Arrays;
import java.util.List;

/** The inventory Lua scripts, each called by SHA with an EVAL fallback ({@link RedisScript}). */
final class InventoryScripts {

  /**
   * The scripts; {@code runsTwiceSafely}: a second run with the same arguments leaves stock and the hold's
   * record as the first left them (the hold's recorded state decides; the store's fence counter may move
   * again) and answers what its caller takes to mean the same, so it may go in a batch, whose failure
   * sends each script again. InventoryScriptsTest checks every script so marked.
   */
  enum Script {
    HOLD("lua/hold.lua", true),
    COMMIT("lua/commit.lua", true),
    RELEASE("lua/release.lua", true),
    REJECT("lua/reject.lua", true),
    DEDUCT("lua/deduct.lua", true),
    SET_STOCK("lua/set_stock.lua", false),
    LOAD_CHUNK("lua/load_chunk.lua", false),
    ACTIVATE("lua/activate.lua", false),
    FIX_COUNTERS("lua/fix_counters.lua", false),
    MARK_CLOSED("lua/mark_closed.lua", true),
    HOLD_STATE("lua/hold_state.lua", false);

    final RedisScript script;
    final boolean runsTwiceSafely;

    Script(String resource, boolean runsTwiceSafely) {
      this.script = new RedisScript(resource);
      this.runsTwiceSafely = runsTwiceSafely;
    }
  }

  private final Redis redis;
  private final RedisTickBatch batch;

  /** Made on the context whose order operations are batched (the inventory verticle's). */
  InventoryScripts(Vertx vertx, Redis redis) {
    this.redis = redis;
    this.batch = new RedisTickBatch(vertx, redis);
  }

  /** Loads every script once, so the first orders do not pay for a NOSCRIPT round trip. */
  Future<Void> preload() {
    List<Request> loads = Arrays.stream(Script.values())
      .map(script -> Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.script.source()))
      .toList();
    return redis.batch(loads).mapEmpty();
  }

  /** The first word of a script's answer: a status string, or the first element of a list. */
  static String outcome(Response reply) {
    return reply.type() == io.vertx.redis.client.ResponseType.MULTI ? reply.get(0).toString() : reply.toString();
  }

  Future<Response> run(Script script, List<String> keys, List<String> args) {
    return script.runsTwiceSafely ? script.script.run(batch, keys, args) : script.script.run(redis, keys, args);
  }
}
