package com.oms.notification;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** One way of reaching a customer. A new channel is one class implementing this, registered at start-up. */
public interface Channel {

  /** The channel's name in the notification log, e.g. {@code EMAIL}. */
  String name();

  /** Where this channel reaches the customer of an event, or null when the customer gave no such contact. */
  String recipient(JsonObject payload);

  /**
   * Sends one notification. {@code deduplicationKey} is stable across retries of the same notification, so
   * the receiving end can drop a repeat sent after a timeout.
   */
  Future<Void> send(String recipient, RenderedMessage message, String deduplicationKey);
}
