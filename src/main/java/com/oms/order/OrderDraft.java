package com.oms.order;

import com.oms.bus.Quote;
import com.oms.bus.StockLine;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A placement request as the order domain understands it: lines merged per SKU (two lines of one SKU are
 * one line of their sum, so a hold never counts a SKU twice), the payment split into what the API shows
 * and the instrument only the gateway sees, and a hash that tells an idempotent retry from a new request.
 */
record OrderDraft(String storeId, List<StockLine> lines, String paymentMethod, JsonObject instrument,
                  JsonObject delivery, JsonObject contact, String requestHash) {

  static OrderDraft from(JsonObject request) {
    Map<String, Integer> merged = new LinkedHashMap<>();
    JsonArray items = request.getJsonArray("items");
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      merged.merge(item.getString("sku"), item.getInteger("quantity"), Integer::sum);
    }
    List<StockLine> lines = new ArrayList<>();
    merged.forEach((sku, quantity) -> lines.add(new StockLine(sku, quantity)));

    JsonObject payment = request.getJsonObject("payment");
    String method = payment.getString("method");
    JsonObject instrument = switch (method) {
      case "CREDIT_CARD" -> new JsonObject().put("token", payment.getJsonObject("card").getString("token"));
      case "UPI" -> new JsonObject().put("vpa", payment.getString("vpa"));
      case "NET_BANKING" -> new JsonObject().put("bank", payment.getString("bank"));
      default -> new JsonObject();
    };
    JsonObject delivery = request.getJsonObject("delivery").copy();
    if (!delivery.containsKey("pickupAt")) {
      delivery.putNull("pickupAt");
    }
    JsonObject contact = request.getJsonObject("contact", new JsonObject()).copy();
    return new OrderDraft(request.getString("storeId"), lines, method, instrument, delivery, contact,
      hash(request));
  }

  List<String> skus() {
    return lines.stream().map(StockLine::sku).toList();
  }

  /** Lines priced by the quote; the order stores its prices so later price changes do not touch it. */
  JsonArray pricedItems(Quote quote) {
    JsonArray items = new JsonArray();
    for (StockLine line : lines) {
      items.add(new JsonObject()
        .put("sku", line.sku())
        .put("quantity", line.quantity())
        .put("unitAmount", quote.unitPrices().get(line.sku())));
    }
    return items;
  }

  long total(Quote quote) {
    long total = 0;
    for (StockLine line : lines) {
      total = Math.addExact(total, Math.multiplyExact(quote.unitPrices().get(line.sku()), (long) line.quantity()));
    }
    return total;
  }

  JsonObject deliveryWithPickup(Quote quote, java.time.Instant expectedPickupAt) {
    return delivery.copy()
      .put("pickupLocation", new JsonObject().put("lat", quote.storeLat()).put("lon", quote.storeLon()))
      .put("expectedPickupAt", expectedPickupAt.toString());
  }

  /** The requested pickup time, or null for as soon as possible. */
  java.time.Instant pickupAt() {
    String at = delivery.getString("pickupAt");
    return at == null ? null : java.time.OffsetDateTime.parse(at).toInstant();
  }

  static PickupSlots.StoreHours hours(Quote quote) {
    return new PickupSlots.StoreHours(java.time.LocalTime.parse(quote.opens()), java.time.LocalTime.parse(quote.closes()),
      java.time.ZoneId.of(quote.timeZone()), java.time.Duration.ofMinutes(quote.preparationMinutes()));
  }

  JsonObject paymentSummary() {
    return new JsonObject()
      .put("method", paymentMethod)
      .put("status", "PENDING")
      .putNull("reference")
      .putNull("nextAction");
  }

  /** SHA-256 of the request with object keys sorted, so key order does not make a retry "different". */
  static String hash(JsonObject request) {
    try {
      byte[] canonical = canonical(request).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String canonical(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> sorted = new TreeMap<>(object.getMap());
      StringBuilder out = new StringBuilder("{");
      sorted.forEach((key, child) -> {
        if (out.length() > 1) {
          out.append(',');
        }
        out.append(Json.encode(key)).append(':').append(canonical(wrap(child)));
      });
      return out.append('}').toString();
    }
    if (value instanceof JsonArray array) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(canonical(wrap(array.getValue(i))));
      }
      return out.append(']').toString();
    }
    return Json.encode(value);
  }

  @SuppressWarnings("unchecked")
  private static Object wrap(Object value) {
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    if (value instanceof List<?> list) {
      return new JsonArray(list);
    }
    return value;
  }
}
