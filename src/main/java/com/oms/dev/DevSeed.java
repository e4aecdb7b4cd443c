package com.oms.dev;

import com.oms.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * Demo data for dev mode, through the same commands the admin API uses: a store, three SKUs, and one
 * available partner near it. Re-running it keeps what is there (stock is only set for new SKUs).
 */
public final class DevSeed {

  public static final String STORE = "demo-store";
  public static final String PARTNER = "demo-partner";
  public static final String CUSTOMER = "demo-customer";
  public static final String ADMIN = "demo-admin";
  private static final JsonObject STORE_LOCATION = new JsonObject().put("lat", 12.9716).put("lon", 77.5946);

  private DevSeed() {
  }

  public static Future<Void> run(Vertx vertx) {
    var bus = vertx.eventBus();
    return bus.request(Addresses.INVENTORY_PUT_STORE, new JsonObject()
        .put("storeId", STORE).put("name", "Demo Kitchen").put("location", STORE_LOCATION))
      .compose(v -> stock(vertx, "masala-dosa", 100, 12000))
      .compose(v -> stock(vertx, "filter-coffee", 200, 4000))
      .compose(v -> stock(vertx, "idli-plate", 150, 8000))
      .compose(v -> bus.request(Addresses.DELIVERY_REGISTER_PARTNER, new JsonObject()
        .put("partnerId", PARTNER).put("name", "Demo Rider").put("phone", "+919800000000")))
      .compose(v -> bus.request(Addresses.DELIVERY_SET_AVAILABILITY, new JsonObject()
        .put("partnerId", PARTNER).put("available", true)
        .put("location", new JsonObject().put("lat", 12.9720).put("lon", 77.5950))))
      .mapEmpty();
  }

  private static Future<Void> stock(Vertx vertx, String sku, int quantity, long price) {
    JsonObject key = new JsonObject().put("storeId", STORE).put("sku", sku);
    return vertx.eventBus().request(Addresses.INVENTORY_GET_STOCK, key).<Void>mapEmpty().recover(failure -> {
      if (failure instanceof ReplyException reply && reply.failureCode() == 404) {
        return vertx.eventBus().request(Addresses.INVENTORY_PUT_STOCK, key.copy().put("quantity", quantity)
          .put("price", new JsonObject().put("amount", price).put("currency", "INR"))).mapEmpty();
      }
      return Future.failedFuture(failure);
    });
  }
}
