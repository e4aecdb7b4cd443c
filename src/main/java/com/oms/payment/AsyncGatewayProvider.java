package com.oms.payment;

import com.oms.bus.ChargeRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.Map;

/**
 * A method the gateway completes later: the charge call starts a payment and answers what the customer
 * must do next; the outcome arrives by signed webhook (or by asking for the payment's status).
 */
public abstract class AsyncGatewayProvider implements PaymentProvider {

  private final GatewayCalls gateway;
  private final SignedGatewayWebhooks webhooks;
  private final String path;

  protected AsyncGatewayProvider(ProviderContext context, String path) {
    this.gateway = new GatewayCalls(context);
    this.webhooks = new SignedGatewayWebhooks(context.settings().getString("webhookSecret"));
    this.path = path;
  }

  /** The method's own fields of the payment request (VPA, bank code...). */
  protected abstract JsonObject instrument(ChargeRequest request);

  /** What the customer must do while the payment waits, from the gateway's payment. */
  protected abstract Map<String, Object> nextAction(JsonObject payment);

  /** The decline code the gateway gives for a refused request (a 4xx), when it gives none. */
  protected abstract String refusedCode();

  @Override
  public Future<ProviderResult> charge(ChargeRequest request) {
    JsonObject body = instrument(request)
      .put("amount", request.amount())
      .put("currency", request.currency())
      .put("reference", request.orderId());
    return gateway.post(path, "charge-" + request.orderId(), body).map(this::result);
  }

  @Override
  public Future<ProviderResult> status(ChargeRequest request) {
    return gateway.get(path, "reference", request.orderId())
      .map(response -> response.statusCode() == 404 ? ProviderResult.none() : result(response));
  }

  @Override
  public Future<ProviderResult> refund(ChargeRequest request, String reference) {
    return gateway.post("/v1/refunds", "refund-" + request.orderId(), new JsonObject().put("charge", reference))
      .compose(GatewayCalls::refunded);
  }

  @Override
  public WebhookEvent webhook(String signatureHeader, byte[] body, Instant now) throws WebhookSignature.Rejected {
    return webhooks.parse(signatureHeader, body, now);
  }

  private ProviderResult result(HttpResponse<Buffer> response) {
    JsonObject body = GatewayCalls.json(response);
    if (response.statusCode() >= 500) {
      return new ProviderResult("FAILED", null, "gateway_" + response.statusCode(), null);
    }
    if (response.statusCode() >= 400) {
      return new ProviderResult("DECLINED", null, GatewayCalls.errorCode(body, refusedCode()), null);
    }
    return switch (String.valueOf(body.getString("status"))) {
      case "captured" -> ProviderResult.of("SUCCEEDED", body.getString("id"));
      case "authorized" -> ProviderResult.of("AUTHORIZED", body.getString("id"));
      case "failed" -> new ProviderResult("DECLINED", body.getString("id"), body.getString("declineCode"), null);
      default -> new ProviderResult("PENDING", body.getString("id"), null, nextAction(body));
    };
  }
}
