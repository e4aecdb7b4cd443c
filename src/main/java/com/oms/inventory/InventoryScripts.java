package com.oms.inventory;

import com.oms.support.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Arrays;
import java.util.List;

/** The inventory Lua scripts, each called by SHA with an EVAL fallback ({@link RedisScript}). */
final class InventoryScripts {

  enum Script {
    HOLD("lua/hold.lua"),
    COMMIT("lua/commit.lua"),
    RELEASE("lua/release.lua"),
    REJECT("lua/reject.lua"),
    DEDUCT("lua/deduct.lua"),
    SET_STOCK("lua/set_stock.lua"),
    LOAD_CHUNK("lua/load_chunk.lua"),
    ACTIVATE("lua/activate.lua"),
    FIX_COUNTERS("lua/fix_counters.lua"),
    MARK_CLOSED("lua/mark_closed.lua");

    final RedisScript script;

    Script(String resource) {
      this.script = new RedisScript(resource);
    }
  }

  private final Redis redis;

  InventoryScripts(Redis redis) {
    this.redis = redis;
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
    return script.script.run(redis, keys, args);
  }
}
