package com.oms.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * An RFC 9457 problem, used both as the HTTP error body and as the reason a domain refuses a command
 * (the failure code of the reply is the HTTP status, the failure message the problem's JSON).
 */
public final class Problem extends RuntimeException {

  private final ProblemType type;
  private final JsonObject extensions;

  public Problem(ProblemType type, String detail) {
    this(type, detail, new JsonObject());
  }

  public Problem(ProblemType type, String detail, JsonObject extensions) {
    super(detail, null, false, false);
    this.type = type;
    this.extensions = extensions;
  }

  public ProblemType type() {
    return type;
  }

  public int status() {
    return type.status();
  }

  public String detail() {
    return getMessage();
  }

  public Problem with(String key, Object value) {
    extensions.put(key, value);
    return this;
  }

  public JsonObject extensions() {
    return extensions;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("type", type.uri())
      .put("title", type.title())
      .put("status", type.status());
    if (detail() != null) {
      json.put("detail", detail());
    }
    extensions.forEach(e -> json.put(e.getKey(), e.getValue()));
    return json;
  }

  public static Problem fromJson(JsonObject json) {
    JsonObject extensions = json.copy();
    extensions.remove("type");
    extensions.remove("title");
    extensions.remove("status");
    extensions.remove("detail");
    return new Problem(ProblemType.fromUri(json.getString("type")), json.getString("detail"), extensions);
  }

  public static Problem notFound(String detail) {
    return new Problem(ProblemType.NOT_FOUND, detail);
  }

  public static Problem unavailable(String detail) {
    return new Problem(ProblemType.SERVICE_UNAVAILABLE, detail);
  }

  /** Refuses a command: the requester sees this problem, whatever hop it crossed. */
  public void failReply(Message<?> message) {
    message.fail(status(), toJson().encode());
  }

  /**
   * What a failed event bus request means to its caller: a domain's refusal keeps its problem;
   * no handler or a timeout is a temporary unavailability; anything else is internal.
   */
  public static Problem from(Throwable failure) {
    if (failure instanceof Problem problem) {
      return problem;
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.getMessage() != null
        && reply.getMessage().startsWith("{")) {
        try {
          return fromJson(new JsonObject(reply.getMessage()));
        } catch (DecodeException ignored) {
          // fall through to an internal error
        }
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT || reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return unavailable("a service step did not answer in time (" + reply.failureType() + ")");
      }
    }
    return new Problem(ProblemType.INTERNAL, "unexpected failure");
  }

  @Override
  public String toString() {
    return "Problem[" + type.uri() + ": " + detail() + "]";
  }
}
