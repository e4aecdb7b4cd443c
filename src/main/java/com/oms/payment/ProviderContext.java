package com.oms.payment;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;

/**
 * What a provider may use: an HTTP client with the gateway's base URL and API key, a timeout for every
 * call, Postgres (for methods the service settles itself, like the wallet), the clock, and the
 * provider's own settings ({@code payment.providers.<method>} in the configuration).
 */
public record ProviderContext(Vertx vertx, WebClient http, String gatewayUrl, String apiKey, Duration timeout,
                              Pool pool, Clock clock, JsonObject settings) {
}
