package com.oms.payment.card;

import com.oms.bus.ChargeRequest;
import com.oms.payment.GatewayCalls;
import com.oms.payment.PaymentProvider;
import com.oms.payment.PaymentProviderFactory;
import com.oms.payment.ProviderContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/**
 * Cards, charged synchronously through the gateway's API. The service only ever holds the token the
 * customer's browser got from the gateway's tokenization endpoint; card numbers never reach it.
 */
public final class CardPaymentProvider implements PaymentProvider {

  private final GatewayCalls gateway;

  public CardPaymentProvider(ProviderContext context) {
    this.gateway = new GatewayCalls(context);
  }

  public static final class Factory implements PaymentProviderFactory {
    @Override
    public String method() {
      return "CREDIT_CARD";
    }

    @Override
    public PaymentProvider create(ProviderContext context) {
      return new CardPaymentProvider(context);
    }
  }

  @Override
  public String method() {
    return "CREDIT_CARD";
  }

  @Override
  public Future<ProviderResult> charge(ChargeRequest request) {
    JsonObject body = new JsonObject()
      .put("token", request.instrument().get("token"))
      .put("amount", request.amount())
      .put("currency", request.currency())
      .put("reference", request.orderId());
    return gateway.post("/v1/charges", "charge-" + request.orderId(), body).map(CardPaymentProvider::chargeResult);
  }

  /** What became of the order's charge: read from the charge's own status, whatever the HTTP status says. */
  @Override
  public Future<ProviderResult> status(ChargeRequest request) {
    return gateway.get("/v1/charges", "idempotencyKey", "charge-" + request.orderId()).map(response -> {
      if (response.statusCode() == 404) {
        return ProviderResult.none();
      }
      if (response.statusCode() != 200) {
        return new ProviderResult("FAILED", null, "gateway_" + response.statusCode(), null);
      }
      JsonObject charge = GatewayCalls.json(response);
      return switch (String.valueOf(charge.getString("status"))) {
        case "succeeded" -> ProviderResult.of("SUCCEEDED", charge.getString("id"));
        case "declined" -> new ProviderResult("DECLINED", charge.getString("id"), charge.getString("declineCode"), null);
        default -> ProviderResult.none();
      };
    });
  }

  @Override
  public Future<ProviderResult> refund(ChargeRequest request, String reference) {
    return gateway.post("/v1/refunds", "refund-" + request.orderId(), new JsonObject().put("charge", reference))
      .compose(GatewayCalls::refunded);
  }

  private static ProviderResult chargeResult(HttpResponse<Buffer> response) {
    JsonObject body = GatewayCalls.json(response);
    return switch (response.statusCode()) {
      case 200 -> ProviderResult.of("SUCCEEDED", body.getString("id"));
      case 402 -> new ProviderResult("DECLINED", body.getString("id"), body.getString("declineCode"), null);
      case 400 -> new ProviderResult("DECLINED", null, GatewayCalls.errorCode(body, "invalid_request"), null);
      // 5xx and anything else: the gateway could not decide, and charged nothing
      default -> new ProviderResult("FAILED", null, "gateway_" + response.statusCode(), null);
    };
  }
}
