package com.oms.notification;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;

/**
 * A messaging provider's HTTP API (SMS, push): one POST per message, with the notification's
 * deduplication key as Idempotency-Key, so a retry after a timeout never makes a second message.
 */
public final class HttpMessagingProvider {

  private final WebClient client;
  private final String url;
  private final String apiKey;
  private final long timeoutMillis;

  public HttpMessagingProvider(WebClient client, String url, String apiKey, Duration timeout) {
    this.client = client;
    this.url = url;
    this.apiKey = apiKey;
    this.timeoutMillis = timeout.toMillis();
  }

  public Future<Void> post(JsonObject message, String deduplicationKey) {
    return client.postAbs(url)
      .putHeader("Authorization", "Bearer " + apiKey)
      .putHeader("Idempotency-Key", deduplicationKey)
      .timeout(timeoutMillis)
      .sendJsonObject(message)
      .compose(response -> response.statusCode() / 100 == 2
        ? Future.succeededFuture()
        : Future.failedFuture("provider answered " + response.statusCode()));
  }
}
