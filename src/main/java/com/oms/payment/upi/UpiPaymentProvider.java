package com.oms.payment.upi;

import com.oms.bus.ChargeRequest;
import com.oms.payment.AsyncGatewayProvider;
import com.oms.payment.PaymentProvider;
import com.oms.payment.PaymentProviderFactory;
import com.oms.payment.ProviderContext;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * UPI collect: the gateway sends a collect request to the customer's VPA; the customer approves it in
 * their UPI app, and the gateway reports the outcome by signed webhook.
 */
public final class UpiPaymentProvider extends AsyncGatewayProvider {

  public UpiPaymentProvider(ProviderContext context) {
    super(context, "/v1/upi/collect");
  }

  public static final class Factory implements PaymentProviderFactory {
    @Override
    public String method() {
      return "UPI";
    }

    @Override
    public PaymentProvider create(ProviderContext context) {
      return new UpiPaymentProvider(context);
    }
  }

  @Override
  public String method() {
    return "UPI";
  }

  @Override
  public String webhookName() {
    return "upi";
  }

  @Override
  protected JsonObject instrument(ChargeRequest request) {
    return new JsonObject().put("vpa", request.instrument().get("vpa"));
  }

  @Override
  protected Map<String, Object> nextAction(JsonObject payment) {
    return Map.of(
      "type", "UPI_COLLECT",
      "vpa", String.valueOf(payment.getString("vpa")),
      "message", "Approve the collect request in your UPI app",
      "expiresAt", String.valueOf(payment.getString("expiresAt")));
  }

  @Override
  protected String refusedCode() {
    return "invalid_vpa";
  }
}
