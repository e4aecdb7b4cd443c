package com.oms.http;

import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.bus.Replies;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into an RFC 9457 problem response: a stable {@code type}, a human {@code detail},
 * never a stack trace.
 */
final class ProblemResponses {

  static final String CONTENT_TYPE = "application/problem+json";
  private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);
  private static final Set<String> LEAF_KEYWORDS = Set.of("minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "type", "enum", "const", "pattern", "format", "required", "minLength", "maxLength",
    "minItems", "maxItems", "multipleOf", "false");

  private ProblemResponses() {
  }

  static void send(RoutingContext ctx, Problem problem) {
    if (ctx.response().ended()) {
      return;
    }
    JsonObject body = problem.toJson().put("instance", ctx.request().path());
    if (problem.extensions().containsKey("orderId")) {
      ctx.put(RequestLog.ORDER_ID, problem.extensions().getString("orderId"));
    }
    if (problem.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    if (problem.status() == 503) {
      ctx.response().putHeader("Retry-After", "1");
    }
    ctx.response()
      .setStatusCode(problem.status())
      .putHeader("Content-Type", CONTENT_TYPE)
      .end(body.encode());
  }

  /**
   * Requests the HTTP decoder refused before any route saw them (headers over the size limit, a request line
   * too long, a malformed request): the same statuses Vert.x would send, as problem documents.
   */
  static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431
      : cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? 414 : 400;
    String detail = switch (status) {
      case 431 -> "the request headers are larger than the server accepts";
      case 414 -> "the request line (method, path and query) is longer than the server accepts";
      default -> "the request is not valid HTTP";
    };
    JsonObject body = new Problem(ProblemType.VALIDATION_FAILED, detail).toJson().put("status", status);
    request.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).putHeader("Connection", "close")
      .end(body.encode());
  }

  /** The router's failure handler. */
  static void handleFailure(RoutingContext ctx) {
    send(ctx, toProblem(ctx));
  }

  static Problem toProblem(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof Problem problem) {
      return problem;
    }
    if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException validation) {
      return fromValidation(validation);
    }
    if (failure instanceof ValidatorException validation) {
      return fromValidation(validation);
    }
    if (failure instanceof DecodeException) {
      return new Problem(ProblemType.MALFORMED_JSON, "the request body is not valid JSON");
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    return switch (status) {
      case 400 -> new Problem(ProblemType.VALIDATION_FAILED, "the request is malformed");
      case 401 -> new Problem(ProblemType.UNAUTHORIZED, "send a valid bearer token: Authorization: Bearer <jwt>");
      case 403 -> new Problem(ProblemType.FORBIDDEN, "your token's roles do not allow this");
      case 404 -> new Problem(ProblemType.NOT_FOUND, "no resource at " + ctx.request().path());
      case 405 -> new Problem(ProblemType.METHOD_NOT_ALLOWED, ctx.request().method() + " is not allowed here");
      case 413 -> new Problem(ProblemType.PAYLOAD_TOO_LARGE, "the request body exceeds the limit");
      case 415 -> new Problem(ProblemType.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
      default -> {
        if (failure != null) {
          yield Replies.toProblem(ctx.request().method() + " " + ctx.request().path(), failure);
        }
        LOG.error("{} {}: failed with status {}", ctx.request().method(), ctx.request().path(), status);
        yield new Problem(ProblemType.INTERNAL, "unexpected failure");
      }
    };
  }

  static Problem fromValidation(ValidatorException validation) {
    if (validation.type() == ValidatorErrorType.ILLEGAL_VALUE && validation.getMessage() != null
      && validation.getMessage().toLowerCase().contains("body")) {
      return new Problem(ProblemType.MALFORMED_JSON, "the request body is not valid JSON");
    }
    if (validation instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      JsonArray errors = errors(schema.getOutputUnit());
      String detail = errors.isEmpty()
        ? schema.getMessage()
        : errors.getJsonObject(0).getString("pointer") + ": " + errors.getJsonObject(0).getString("message");
      return new Problem(ProblemType.VALIDATION_FAILED, detail).with("errors", errors);
    }
    return new Problem(ProblemType.VALIDATION_FAILED, validation.getMessage());
  }

  /**
   * The schema errors a client can act on: one per location, preferring the concrete rule that failed
   * ({@code minimum}, {@code required}, ...) over the composite ones that only echo it.
   */
  private static JsonArray errors(OutputUnit output) {
    Map<String, JsonObject> byPointer = new LinkedHashMap<>();
    List<OutputUnit> units = output.getErrors() == null ? List.of(output) : output.getErrors();
    for (OutputUnit unit : units) {
      String pointer = pointer(unit.getInstanceLocation());
      String keyword = keyword(unit.getKeywordLocation());
      boolean leaf = LEAF_KEYWORDS.contains(keyword);
      JsonObject current = byPointer.get(pointer);
      if (current == null || (leaf && !current.getBoolean("leaf"))) {
        byPointer.put(pointer, new JsonObject().put("pointer", pointer).put("message", unit.getError()).put("leaf", leaf));
      }
    }
    boolean anyLeaf = byPointer.values().stream().anyMatch(e -> e.getBoolean("leaf"));
    JsonArray errors = new JsonArray();
    byPointer.values().stream()
      .filter(e -> !anyLeaf || e.getBoolean("leaf") || isUnknownField(e))
      .forEach(e -> {
        e.remove("leaf");
        errors.add(e);
      });
    return errors;
  }

  private static boolean isUnknownField(JsonObject error) {
    return String.valueOf(error.getString("message")).contains("additional");
  }

  private static String pointer(String instanceLocation) {
    if (instanceLocation == null) {
      return "";
    }
    return instanceLocation.startsWith("#") ? instanceLocation.substring(1) : instanceLocation;
  }

  private static String keyword(String keywordLocation) {
    if (keywordLocation == null) {
      return "";
    }
    int slash = keywordLocation.lastIndexOf('/');
    return slash < 0 ? keywordLocation : keywordLocation.substring(slash + 1);
  }
}
