package com.oms.notification.sms;

import com.oms.notification.Channel;
import com.oms.notification.HttpMessagingProvider;
import com.oms.notification.RenderedMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Text messages to the phone number on the order, through an SMS provider's HTTP API. */
public final class SmsChannel implements Channel {

  private final HttpMessagingProvider provider;

  public SmsChannel(HttpMessagingProvider provider) {
    this.provider = provider;
  }

  @Override
  public String name() {
    return "SMS";
  }

  @Override
  public String recipient(JsonObject payload) {
    JsonObject contact = payload.getJsonObject("contact");
    return contact == null ? null : contact.getString("phone");
  }

  @Override
  public Future<Void> send(String recipient, RenderedMessage message, String deduplicationKey) {
    return provider.post(new JsonObject().put("to", recipient).put("body", message.body()), deduplicationKey);
  }
}
