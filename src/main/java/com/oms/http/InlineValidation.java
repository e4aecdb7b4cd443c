package com.oms.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.Map;

/**
 * Validates a request against its operation in the contract on the event loop, where the router's own
 * validation hands every request to the worker pool first (vertx-openapi 5.0 wraps it in an ordered
 * executeBlocking). That hop cost a context switch and a wake-up per request and queued each edge
 * instance's requests behind one worker; the validation itself is a few tens of microseconds of CPU
 * for a body of at most {@code http.maxBodyBytes}, with compiled schemas ({@link CompiledContract}).
 * Answers as the router does: a {@link ValidatorException} as a 400, which becomes a problem document.
 */
final class InlineValidation implements Handler<RoutingContext> {

  /** The library's checks of one parameter and of the body, called directly instead of on a worker. */
  static final class Checks extends RequestValidatorImpl {
    Checks(Vertx vertx, OpenAPIContract contract) {
      super(vertx, contract);
    }

    ValidatedRequest check(ValidatableRequest request, Operation operation) {
      Map<String, RequestParameter> cookies = new HashMap<>();
      Map<String, RequestParameter> headers = new HashMap<>();
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> query = new HashMap<>();
      for (Parameter parameter : operation.getParameters()) {
        String name = parameter.getName();
        switch (parameter.getIn()) {
          case COOKIE -> cookies.put(name, validateParameter(parameter, request.getCookies().get(name)));
          case HEADER -> headers.put(name, validateParameter(parameter, request.getHeaders().get(name)));
          case PATH -> path.put(name, validateParameter(parameter, request.getPathParameters().get(name)));
          case QUERY -> query.put(name, validateParameter(parameter, request.getQuery().get(name)));
        }
      }
      RequestParameter body = validateBody(operation.getRequestBody(), request);
      return new ValidatedRequestImpl(cookies, headers, path, query, body);
    }
  }

  private static final RequestExtractor EXTRACTOR = RequestExtractor.withBodyHandler();

  private final Checks checks;
  private final Operation operation;

  InlineValidation(Checks checks, Operation operation) {
    this.checks = checks;
    this.operation = operation;
  }

  @Override
  public void handle(RoutingContext ctx) {
    EXTRACTOR.extractValidatableRequest(ctx, operation).onComplete(extracted -> {
      if (extracted.failed()) {
        ctx.fail(extracted.cause());
        return;
      }
      ValidatedRequest validated;
      try {
        validated = checks.check(extracted.result(), operation);
      } catch (ValidatorException invalid) {
        ctx.fail(new HttpException(400, invalid.getMessage(), invalid));
        return;
      } catch (RuntimeException failure) {
        ctx.fail(failure);
        return;
      }
      ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
      ctx.next();
    });
  }
}
