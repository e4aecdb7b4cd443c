package com.oms.support;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script kept as a resource and called by SHA. The client does not retry with the source when Redis
 * has forgotten a script (restart, SCRIPT FLUSH, a new replica), so this does: EVALSHA, and on NOSCRIPT
 * one EVAL, which also puts the script back in Redis's cache.
 */
public final class RedisScript {

  private final String source;
  private final String sha;

  public RedisScript(String resource) {
    this.source = Resources.text(resource);
    this.sha = sha1(source);
  }

  public String source() {
    return source;
  }

  /** Where a script's commands go: the client itself, or a batch ({@link RedisTickBatch}). */
  @FunctionalInterface
  public interface Sender {
    Future<Response> send(Request request);
  }

  public Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return run(redis::send, keys, args);
  }

  public Future<Response> run(Sender sender, List<String> keys, List<String> args) {
    return sender.send(request(Command.EVALSHA, sha, keys, args))
      .recover(failure -> {
        if (String.valueOf(failure.getMessage()).startsWith("NOSCRIPT")) {
          return sender.send(request(Command.EVAL, source, keys, args));
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
