package com.oms.inventory;

import com.oms.support.Resources;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The inventory Lua scripts, called by SHA. The client does not retry with the source when Redis has
 * forgotten a script (restart, SCRIPT FLUSH, a new replica), so we do: EVALSHA, and on NOSCRIPT one EVAL,
 * which also puts the script back in Redis's cache.
 */
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
    FIX_COUNTERS("lua/fix_counters.lua");

    final String source;
    final String sha;

    Script(String resource) {
      this.source = Resources.text(resource);
      this.sha = sha1(source);
    }
  }

  private final Redis redis;

  InventoryScripts(Redis redis) {
    this.redis = redis;
  }

  /** Loads every script once, so the first orders do not pay for a NOSCRIPT round trip. */
  Future<Void> preload() {
    List<Request> loads = Arrays.stream(Script.values())
      .map(script -> Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source))
      .toList();
    return redis.batch(loads).mapEmpty();
  }

  /** The first word of a script's answer: a status string, or the first element of a list. */
  static String outcome(Response reply) {
    return reply.type() == io.vertx.redis.client.ResponseType.MULTI ? reply.get(0).toString() : reply.toString();
  }

  Future<Response> run(Script script, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, script.sha, keys, args))
      .recover(failure -> {
        if (String.valueOf(failure.getMessage()).startsWith("NOSCRIPT")) {
          return redis.send(request(Command.EVAL, script.source, keys, args));
        }
        return Future.failedFuture(failure);
      });
  }

  private static Request request(Command command, String scriptOrSha, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(scriptOrSha).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static String sha1(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
