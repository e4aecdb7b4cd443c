package com.oms.notification.push;

import com.oms.bus.Addresses;
import com.oms.notification.Channel;
import com.oms.notification.HttpMessagingProvider;
import com.oms.notification.RenderedMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Push to the customer's devices through a push provider's HTTP API (addressed by customer), and to the
 * customer's live tracking feed over the event bus.
 */
public final class PushChannel implements Channel {

  private final HttpMessagingProvider provider;
  private final Vertx vertx;

  public PushChannel(HttpMessagingProvider provider, Vertx vertx) {
    this.provider = provider;
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return "PUSH";
  }

  @Override
  public String recipient(JsonObject payload) {
    return payload.getString("customerId");
  }

  @Override
  public Future<Void> send(String recipient, RenderedMessage message, String deduplicationKey) {
    JsonObject push = new JsonObject().put("customerId", recipient).put("title", message.subject()).put("body", message.body());
    return provider.post(push, deduplicationKey)
      .onSuccess(v -> vertx.eventBus().publish(Addresses.NOTIFICATION_FEED, push.copy().put("key", deduplicationKey)));
  }
}
