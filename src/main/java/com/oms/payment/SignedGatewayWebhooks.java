package com.oms.payment;

import com.oms.payment.PaymentProvider.WebhookEvent;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Webhooks of the gateways that sign with {@link WebhookSignature}: {@code {id, type, data: {reference,
 * paymentId, declineCode}}} where type is payment.authorized, payment.captured or payment.failed.
 */
public final class SignedGatewayWebhooks {

  private final String secret;

  public SignedGatewayWebhooks(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("a webhook secret is required");
    }
    this.secret = secret;
  }

  public WebhookEvent parse(String signatureHeader, byte[] body, Instant now) throws WebhookSignature.Rejected {
    WebhookSignature.verify(secret, signatureHeader, body, now);
    JsonObject event;
    try {
      event = new JsonObject(io.vertx.core.buffer.Buffer.buffer(body));
    } catch (DecodeException | ClassCastException e) {
      throw new WebhookSignature.Rejected("the body is not a JSON object");
    }
    JsonObject data = event.getJsonObject("data", new JsonObject());
    String status = switch (String.valueOf(event.getString("type"))) {
      case "payment.authorized" -> "AUTHORIZED";
      case "payment.captured" -> "SUCCEEDED";
      case "payment.failed" -> "DECLINED";
      default -> throw new WebhookSignature.Rejected("unknown event type " + event.getString("type"));
    };
    if (event.getString("id") == null || data.getString("reference") == null) {
      throw new WebhookSignature.Rejected("event id and data.reference are required");
    }
    return new WebhookEvent(event.getString("id"), event.getString("type"), data.getString("reference"), status,
      data.getString("paymentId"), data.getString("declineCode"));
  }
}
