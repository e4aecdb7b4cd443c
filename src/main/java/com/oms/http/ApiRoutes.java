package com.oms.http;

import static com.oms.bus.Addresses.*;

import com.oms.bus.Caller;
import com.oms.bus.Problem;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.time.Duration;
import java.util.function.Function;

/**
 * The handlers of the API's operations: each checks the caller's role, turns the validated request into
 * a command for the domain that owns it, and the answer (or the domain's problem) into the response.
 */
final class ApiRoutes {

  private final EventBus bus;
  private final DeliveryOptions busOptions;

  ApiRoutes(EventBus bus, Duration requestTimeout) {
    this.bus = bus;
    this.busOptions = new DeliveryOptions().setSendTimeout(requestTimeout.toMillis());
  }

  void mount(RouterBuilder builder) {
    builder.getRoute("placeOrder").addHandler(handle(this::placeOrder));
    builder.getRoute("listOrders").addHandler(handle(this::listOrders));
    builder.getRoute("getOrder").addHandler(handle(this::getOrder));
    builder.getRoute("getOrderEvents").addHandler(handle(this::getOrderEvents));
    builder.getRoute("cancelOrder").addHandler(handle(this::cancelOrder));
    builder.getRoute("getOrderNotifications").addHandler(handle(this::getOrderNotifications));
    builder.getRoute("getOrderStates").addHandler(handle(this::getOrderStates));
    builder.getRoute("putStore").addHandler(handle(this::putStore));
    builder.getRoute("putInventory").addHandler(handle(this::putInventory));
    builder.getRoute("getInventory").addHandler(handle(this::getInventory));
    builder.getRoute("listInventory").addHandler(handle(this::listInventory));
    builder.getRoute("adjustInventory").addHandler(handle(this::adjustInventory));
    builder.getRoute("registerPartner").addHandler(handle(this::registerPartner));
    builder.getRoute("setPartnerAvailability").addHandler(handle(this::setPartnerAvailability));
    builder.getRoute("listPartnerDeliveries").addHandler(handle(this::listPartnerDeliveries));
    builder.getRoute("reportDeliveryStatus").addHandler(handle(this::reportDeliveryStatus));
    builder.getRoute("getOrderPayment").addHandler(handle(this::getOrderPayment));
    builder.getRoute("retryNotification").addHandler(handle(this::retryNotification));
    builder.getRoute("reschedulePickup").addHandler(handle(this::reschedulePickup));
    builder.getRoute("declineDelivery").addHandler(handle(this::declineDelivery));
    builder.getRoute("reportPartnerLocation").addHandler(handle(this::reportPartnerLocation));
    builder.getRoute("receivePaymentWebhook").addHandler(handle(this::receivePaymentWebhook));
    builder.getRoute("getMyWallet").addHandler(handle(this::getMyWallet));
    builder.getRoute("topUpWallet").addHandler(handle(this::topUpWallet));
  }

  private Future<Void> placeOrder(RoutingContext ctx) {
    Caller caller = Access.require(ctx, Caller.CUSTOMER);
    JsonObject command = new JsonObject()
      .put("caller", caller.toJson())
      .put("idempotencyKey", ctx.request().getHeader("Idempotency-Key"))
      .put("order", body(ctx));
    return request(ORDER_PLACE, command).map(reply -> {
      JsonObject order = reply.getJsonObject("order");
      ctx.put(RequestLog.ORDER_ID, order.getString("orderId"));
      ctx.response().putHeader("Location", "/v1/orders/" + order.getString("orderId"));
      if (reply.getBoolean("replayed")) {
        ctx.response().putHeader("Idempotent-Replayed", "true");
      }
      // a replay is the first answer again: same status, same body
      json(ctx, 201, order);
      return null;
    });
  }

  private Future<Void> listOrders(RoutingContext ctx) {
    Caller caller = Access.require(ctx, Caller.CUSTOMER, Caller.ADMIN);
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject command = new JsonObject()
      .put("caller", caller.toJson())
      .put("status", query(validated, "status"))
      .put("limit", query(validated, "limit") == null ? 20 : ((Number) query(validated, "limit")).intValue())
      .put("cursor", query(validated, "cursor"));
    return reply(ctx, request(ORDER_LIST, command));
  }

  private Future<Void> getOrder(RoutingContext ctx) {
    return reply(ctx, request(ORDER_GET, orderCommand(ctx)));
  }

  private Future<Void> getOrderEvents(RoutingContext ctx) {
    return reply(ctx, request(ORDER_EVENTS, orderCommand(ctx)));
  }

  private Future<Void> cancelOrder(RoutingContext ctx) {
    JsonObject command = orderCommand(ctx)
      .put("reason", body(ctx).getString("reason"))
      .put("idempotencyKey", ctx.request().getHeader("Idempotency-Key"));
    return request(ORDER_CANCEL, command).map(order -> {
      if (Boolean.TRUE.equals(order.remove("_replayed"))) {
        ctx.response().putHeader("Idempotent-Replayed", "true");
      }
      json(ctx, 200, order);
      return null;
    });
  }

  private Future<Void> getOrderNotifications(RoutingContext ctx) {
    // the order domain decides who may see the order; only then ask for its notifications
    return reply(ctx, request(ORDER_GET, orderCommand(ctx))
      .compose(order -> request(NOTIFICATION_LIST, new JsonObject().put("orderId", order.getString("orderId")))));
  }

  private Future<Void> getOrderStates(RoutingContext ctx) {
    return reply(ctx, request(ORDER_STATES, new JsonObject()));
  }

  private Future<Void> putStore(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    JsonObject command = body(ctx).copy().put("storeId", ctx.pathParam("storeId"));
    return reply(ctx, request(INVENTORY_PUT_STORE, command));
  }

  private Future<Void> putInventory(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    JsonObject command = body(ctx).copy().put("storeId", ctx.pathParam("storeId")).put("sku", ctx.pathParam("sku"));
    return reply(ctx, request(INVENTORY_PUT_STOCK, command));
  }

  private Future<Void> getInventory(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    JsonObject command = new JsonObject().put("storeId", ctx.pathParam("storeId")).put("sku", ctx.pathParam("sku"));
    return reply(ctx, request(INVENTORY_GET_STOCK, command));
  }

  private Future<Void> listInventory(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    Object limit = query(validated, "limit");
    JsonObject command = new JsonObject()
      .put("storeId", ctx.pathParam("storeId"))
      .put("limit", limit == null ? 50 : ((Number) limit).intValue())
      .put("cursor", query(validated, "cursor"));
    return reply(ctx, request(INVENTORY_LIST_STOCK, command));
  }

  private Future<Void> adjustInventory(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    JsonObject command = body(ctx).copy()
      .put("storeId", ctx.pathParam("storeId"))
      .put("sku", ctx.pathParam("sku"))
      .put("idempotencyKey", ctx.request().getHeader("Idempotency-Key"));
    return reply(ctx, request(INVENTORY_ADJUST_STOCK, command));
  }

  private Future<Void> registerPartner(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    return request(DELIVERY_REGISTER_PARTNER, body(ctx)).map(reply -> {
      JsonObject partner = reply.getJsonObject("partner");
      ctx.response().putHeader("Location", "/v1/partners/" + partner.getString("partnerId"));
      json(ctx, reply.getBoolean("created") ? 201 : 200, partner);
      return null;
    });
  }

  private Future<Void> setPartnerAvailability(RoutingContext ctx) {
    String partnerId = ctx.pathParam("partnerId");
    Caller caller = Access.requireSelfPartner(ctx, partnerId, false);
    JsonObject command = body(ctx).copy().put("partnerId", partnerId).put("caller", caller.toJson());
    return reply(ctx, request(DELIVERY_SET_AVAILABILITY, command));
  }

  private Future<Void> listPartnerDeliveries(RoutingContext ctx) {
    String partnerId = ctx.pathParam("partnerId");
    Caller caller = Access.requireSelfPartner(ctx, partnerId, true);
    return reply(ctx, request(DELIVERY_PARTNER_DELIVERIES,
      new JsonObject().put("partnerId", partnerId).put("caller", caller.toJson())));
  }

  private Future<Void> reportDeliveryStatus(RoutingContext ctx) {
    Caller caller = Access.require(ctx, Caller.PARTNER);
    JsonObject command = new JsonObject()
      .put("caller", caller.toJson())
      .put("orderId", ctx.pathParam("orderId"))
      .put("status", body(ctx).getString("status"));
    return reply(ctx, request(DELIVERY_REPORT_STATUS, command));
  }

  private Future<Void> retryNotification(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    return reply(ctx, request(NOTIFICATION_RETRY, new JsonObject().put("id", ctx.pathParam("notificationId"))));
  }

  private Future<Void> reschedulePickup(RoutingContext ctx) {
    return reply(ctx, request(ORDER_RESCHEDULE_PICKUP, orderCommand(ctx).put("pickupAt", body(ctx).getString("pickupAt"))));
  }

  private Future<Void> declineDelivery(RoutingContext ctx) {
    Caller caller = Access.require(ctx, Caller.PARTNER);
    return reply(ctx, request(DELIVERY_DECLINE,
      new JsonObject().put("caller", caller.toJson()).put("orderId", ctx.pathParam("orderId"))));
  }

  private Future<Void> reportPartnerLocation(RoutingContext ctx) {
    String partnerId = ctx.pathParam("partnerId");
    Caller caller = Access.requireSelfPartner(ctx, partnerId, false);
    JsonObject command = body(ctx).copy().put("partnerId", partnerId).put("caller", caller.toJson());
    return reply(ctx, request(DELIVERY_LOCATION, command));
  }

  private Future<Void> getOrderPayment(RoutingContext ctx) {
    return reply(ctx, request(ORDER_GET, orderCommand(ctx))
      .compose(order -> request(PAYMENT_DETAILS, new JsonObject().put("orderId", order.getString("orderId")))));
  }

  /** Gateways call this; the payment domain checks the signature over the raw bytes as they arrived. */
  private Future<Void> receivePaymentWebhook(RoutingContext ctx) {
    JsonObject command = new JsonObject()
      .put("provider", ctx.pathParam("provider"))
      .put("signature", ctx.request().getHeader("Oms-Signature"))
      .put("body", java.util.Base64.getEncoder().encodeToString(ctx.body().buffer().getBytes()));
    return reply(ctx, request(PAYMENT_WEBHOOK, command));
  }

  private Future<Void> getMyWallet(RoutingContext ctx) {
    Caller caller = Access.require(ctx, Caller.CUSTOMER);
    return reply(ctx, request(WALLET_VIEW, new JsonObject().put("customerId", caller.subject())));
  }

  private Future<Void> topUpWallet(RoutingContext ctx) {
    Access.require(ctx, Caller.ADMIN);
    JsonObject command = body(ctx).copy()
      .put("customerId", ctx.pathParam("customerId"))
      .put("idempotencyKey", ctx.request().getHeader("Idempotency-Key"));
    return reply(ctx, request(WALLET_TOP_UP, command));
  }

  /** The order commands all carry the caller and the order; only owners and admins get past the domain. */
  private static JsonObject orderCommand(RoutingContext ctx) {
    Caller caller = Access.require(ctx, Caller.CUSTOMER, Caller.ADMIN);
    return new JsonObject().put("caller", caller.toJson()).put("orderId", ctx.pathParam("orderId"));
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return bus.<JsonObject>request(address, body, busOptions).map(message -> message.body());
  }

  private static Future<Void> reply(RoutingContext ctx, Future<JsonObject> answer) {
    return answer.map(body -> {
      json(ctx, 200, body);
      return null;
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static JsonObject body(RoutingContext ctx) {
    // the contract's validation already decoded the body: parsing it a second time cost as much again
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    if (validated != null && validated.getBody() != null && validated.getBody().isJsonObject()) {
      return validated.getBody().getJsonObject();
    }
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }

  private static Object query(ValidatedRequest validated, String name) {
    if (validated == null) {
      return null;
    }
    RequestParameter parameter = validated.getQuery().get(name);
    return parameter == null || parameter.isNull() ? null : parameter.get();
  }

  /** Runs a handler; whatever it throws or fails with becomes a problem response. */
  private static Handler<RoutingContext> handle(Function<RoutingContext, Future<Void>> handler) {
    return ctx -> {
      Future<Void> done;
      try {
        done = handler.apply(ctx);
      } catch (RuntimeException e) {
        done = Future.failedFuture(e);
      }
      done.onFailure(failure -> ProblemResponses.send(ctx, failure instanceof Problem problem
        ? problem
        : com.oms.bus.Replies.toProblem(ctx.request().method() + " " + ctx.request().path(), failure)));
    };
  }
}
