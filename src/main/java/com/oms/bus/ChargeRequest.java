package com.oms.bus;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Charge an order once. {@code instrument} is what the method needs (a gateway card token, a VPA, a bank
 * code), never a card number.
 */
public record ChargeRequest(String orderId, String customerId, String method, long amount, String currency,
                            Map<String, Object> instrument) implements BusMessage {

  public JsonObject instrumentJson() {
    return new JsonObject(instrument);
  }
}
