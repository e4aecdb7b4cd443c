package com.oms.order;

import com.oms.bus.StockCommand;
import com.oms.bus.StockLine;
import com.oms.support.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** One order as stored: the row of {@code orders}. */
public record Order(UUID orderId, String customerId, String storeId, OrderStatus status, int version,
                    String currency, long totalAmount, JsonArray items, JsonObject payment,
                    JsonObject paymentInstrument, JsonObject delivery, JsonObject contact, String partnerId,
                    String failureReason, boolean compensationPending, String requestHash,
                    OffsetDateTime createdAt, OffsetDateTime updatedAt) {

  public static Order fromRow(Row row) {
    return new Order(
      row.getUUID("order_id"),
      row.getString("customer_id"),
      row.getString("store_id"),
      OrderStatus.valueOf(row.getString("status")),
      row.getInteger("version"),
      row.getString("currency"),
      row.getLong("total_amount"),
      (JsonArray) row.getJson("items"),
      (JsonObject) row.getJson("payment"),
      (JsonObject) row.getJson("payment_instrument"),
      (JsonObject) row.getJson("delivery"),
      (JsonObject) row.getJson("contact"),
      row.getString("partner_id"),
      row.getString("failure_reason"),
      row.getBoolean("compensation_pending"),
      row.getString("request_hash"),
      row.getOffsetDateTime("created_at"),
      row.getOffsetDateTime("updated_at"));
  }

  /**
   * The order after a transition, from the order as read and the columns the transition answers: those
   * that can change after placement (the rest never do).
   */
  Order after(Row moved) {
    return new Order(orderId, customerId, storeId, OrderStatus.valueOf(moved.getString("status")),
      moved.getInteger("version"), currency, totalAmount, items, (JsonObject) moved.getJson("payment"), paymentInstrument,
      (JsonObject) moved.getJson("delivery"), contact, moved.getString("partner_id"), moved.getString("failure_reason"),
      moved.getBoolean("compensation_pending"), requestHash, createdAt, moved.getOffsetDateTime("updated_at"));
  }

  public String id() {
    return orderId.toString();
  }

  public boolean ownedBy(String customer) {
    return customerId.equals(customer);
  }

  public String paymentMethod() {
    return payment.getString("method");
  }

  public List<StockLine> stockLines() {
    List<StockLine> lines = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      lines.add(new StockLine(item.getString("sku"), item.getInteger("quantity")));
    }
    return lines;
  }

  public StockCommand stockCommand() {
    return new StockCommand(id(), storeId, stockLines());
  }

  /** When the partner should be at the store (the customer's slot, or when an ASAP order is ready). */
  public java.time.Instant expectedPickupAt() {
    String at = delivery.getString("expectedPickupAt");
    return at == null ? createdAt.toInstant() : java.time.Instant.parse(at);
  }

  /** The customer's requested pickup time, or null for as soon as possible. */
  public java.time.Instant requestedPickupAt() {
    String at = delivery.getString("pickupAt");
    return at == null ? null : java.time.OffsetDateTime.parse(at).toInstant();
  }

  public double storeLat() {
    return delivery.getJsonObject("pickupLocation").getDouble("lat");
  }

  public double storeLon() {
    return delivery.getJsonObject("pickupLocation").getDouble("lon");
  }

  /** The order as the API shows it; the payment instrument (a gateway token) never leaves the service. */
  public JsonObject toApiJson() {
    JsonObject money = new JsonObject().put("amount", totalAmount).put("currency", currency);
    JsonArray lines = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      long unit = item.getLong("unitAmount");
      int quantity = item.getInteger("quantity");
      lines.add(new JsonObject()
        .put("sku", item.getString("sku"))
        .put("quantity", quantity)
        .put("unitPrice", new JsonObject().put("amount", unit).put("currency", currency))
        .put("lineTotal", new JsonObject().put("amount", unit * quantity).put("currency", currency)));
    }
    return new JsonObject()
      .put("orderId", id())
      .put("customerId", customerId)
      .put("storeId", storeId)
      .put("status", status.name())
      .put("version", version)
      .put("items", lines)
      .put("total", money)
      .put("payment", payment.copy())
      .put("delivery", delivery.copy().put("partnerId", partnerId))
      .put("contact", contact.copy())
      .put("failureReason", failureReason)
      .put("createdAt", Times.iso(createdAt))
      .put("updatedAt", Times.iso(updatedAt));
  }
}
