package com.oms.payment;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.items;

import com.oms.testing.Api;
import io.vertx.core.json.JsonObject;

/** Order bodies for each payment method. */
final class PaymentTesting {

  private PaymentTesting() {
  }

  static JsonObject order(String store, String method, String instrument) {
    JsonObject body = cardOrder(store, "tok_visa", items("a", 1));
    JsonObject payment = new JsonObject().put("method", method);
    switch (method) {
      case "CREDIT_CARD" -> payment.put("card", new JsonObject().put("token", instrument));
      case "UPI" -> payment.put("vpa", instrument);
      case "NET_BANKING" -> payment.put("bank", instrument);
      default -> { }
    }
    return body.put("payment", payment);
  }

  static String storeWithStock(Api api, String store, int quantity, long price) {
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", quantity, price).await();
    return store;
  }
}
