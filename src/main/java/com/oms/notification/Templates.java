package com.oms.notification;

import com.oms.support.Resources;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Message templates, one resource per channel and event ({@code templates/email/ORDER_CONFIRMED.txt}); the
 * first line is {@code Subject: ...}, {@code {{name}}} placeholders take values from the event.
 */
final class Templates {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");
  private final Map<String, String> cache = new ConcurrentHashMap<>();

  RenderedMessage render(String channel, String eventType, JsonObject payload) {
    String template = cache.computeIfAbsent(channel.toLowerCase() + "/" + eventType,
      key -> Resources.text("templates/" + key + ".txt"));
    String text = fill(template, values(payload));
    int newline = text.indexOf('\n');
    String first = newline < 0 ? text : text.substring(0, newline);
    if (first.startsWith("Subject:")) {
      return new RenderedMessage(first.substring("Subject:".length()).trim(), text.substring(newline + 1).trim());
    }
    return new RenderedMessage(eventType, text.trim());
  }

  private static Map<String, String> values(JsonObject payload) {
    JsonObject total = payload.getJsonObject("total", new JsonObject());
    return Map.of(
      "orderId", String.valueOf(payload.getString("orderId")),
      "status", String.valueOf(payload.getString("status")),
      "reason", String.valueOf(payload.getString("reason", "")),
      "partnerId", String.valueOf(payload.getString("partnerId", "")),
      "total", Money.format(total.getLong("amount", 0L), total.getString("currency", "")));
  }

  private static String fill(String template, Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(matcher.group(1), "")));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
