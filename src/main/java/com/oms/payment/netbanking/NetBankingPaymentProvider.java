package com.oms.payment.netbanking;

import com.oms.bus.ChargeRequest;
import com.oms.payment.AsyncGatewayProvider;
import com.oms.payment.PaymentProvider;
import com.oms.payment.PaymentProviderFactory;
import com.oms.payment.ProviderContext;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Net banking: the gateway answers with the bank's page to send the customer to; the customer pays
 * there, and the gateway reports the outcome by signed webhook.
 */
public final class NetBankingPaymentProvider extends AsyncGatewayProvider {

  public NetBankingPaymentProvider(ProviderContext context) {
    super(context, "/v1/netbanking/payments");
  }

  public static final class Factory implements PaymentProviderFactory {
    @Override
    public String method() {
      return "NET_BANKING";
    }

    @Override
    public PaymentProvider create(ProviderContext context) {
      return new NetBankingPaymentProvider(context);
    }
  }

  @Override
  public String method() {
    return "NET_BANKING";
  }

  @Override
  public String webhookName() {
    return "netbanking";
  }

  @Override
  protected JsonObject instrument(ChargeRequest request) {
    return new JsonObject().put("bank", request.instrument().get("bank"));
  }

  @Override
  protected Map<String, Object> nextAction(JsonObject payment) {
    return Map.of(
      "type", "REDIRECT",
      "url", String.valueOf(payment.getString("redirectUrl")),
      "message", "Complete the payment on your bank's page");
  }

  @Override
  protected String refusedCode() {
    return "unknown_bank";
  }
}
