package com.oms.inventory;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InventoryAdminTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("order").put("maxLines", 3);
  }

  private HttpResponse<Buffer> adjust(String store, String sku, int delta, String key) {
    return api.client().post("/v1/stores/" + store + "/inventory/" + sku + "/adjustments")
      .putHeader("Authorization", "Bearer " + api.adminToken())
      .putHeader("Idempotency-Key", key)
      .sendJsonObject(new JsonObject().put("delta", delta).put("reason", "count")).await();
  }

  @Test
  @DisplayName("many first stock settings of a new store at once all succeed: loading the store cannot starve the pool")
  void concurrentFirstStockOfANewStore() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    int poolSize = app.config.postgres().poolSize();
    List<io.vertx.core.Future<JsonObject>> puts = new ArrayList<>();
    for (int i = 0; i < 3 * poolSize; i++) {
      puts.add(expect(api.put("/v1/stores/" + store + "/inventory/sku-" + i, api.adminToken(), new JsonObject()
        .put("quantity", 10 + i).put("price", new JsonObject().put("amount", 100).put("currency", "INR"))), 200));
    }
    io.vertx.core.Future.all(puts).await();
    for (int i = 0; i < 3 * poolSize; i++) {
      assertThat(StockFigures.inRedis(app, store, "sku-" + i).await()).isEqualTo(StockFigures.inPostgres(app, store, "sku-" + i).await());
    }
  }

  @Test
  @DisplayName("restock and shrinkage apply once per Idempotency-Key and never take available below zero")
  void adjustments() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 5, 100).await();
    String token = api.customerToken(unique("cust"));
    expect(api.place(token, cardOrder(store, "tok_visa", items("a", 3))), 201).await();

    HttpResponse<Buffer> restock = adjust(store, "a", 10, "k1");
    HttpResponse<Buffer> repeat = adjust(store, "a", 10, "k1");
    HttpResponse<Buffer> reused = adjust(store, "a", 4, "k1");
    HttpResponse<Buffer> tooMuchShrinkage = adjust(store, "a", -13, "k2");
    HttpResponse<Buffer> shrinkage = adjust(store, "a", -12, "k3");

    assertThat(restock.statusCode()).isEqualTo(200);
    assertThat(restock.bodyAsJsonObject().getInteger("onHand")).isEqualTo(15);
    assertThat(repeat.statusCode()).isEqualTo(200);
    assertThat(repeat.bodyAsJsonObject().getInteger("onHand")).isEqualTo(15);
    assertThat(repeat.bodyAsJsonObject().getBoolean("replayed")).isTrue();
    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(tooMuchShrinkage.statusCode()).isEqualTo(409);
    assertThat(tooMuchShrinkage.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:stock-below-committed");
    assertThat(shrinkage.statusCode()).isEqualTo(200);
    JsonObject level = api.stockLevel(store, "a").await();
    assertThat(level.getInteger("onHand")).isEqualTo(3);
    assertThat(level.getInteger("available")).isZero();
    assertThat(StockFigures.inRedis(app, store, "a").await()).isEqualTo(StockFigures.inPostgres(app, store, "a").await());
  }

  @Test
  @DisplayName("setting on-hand below what orders hold is refused with 409 and changes nothing")
  void setBelowCommitted() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 5, 100).await();
    expect(api.place(api.customerToken(unique("cust")), cardOrder(store, "tok_visa", items("a", 4))), 201).await();

    HttpResponse<Buffer> response = api.put("/v1/stores/" + store + "/inventory/a", api.adminToken(),
      new JsonObject().put("quantity", 3).put("price", new JsonObject().put("amount", 100).put("currency", "INR"))).await();

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(api.stockLevel(store, "a").await().getInteger("onHand")).isEqualTo(5);
    assertThat(StockFigures.inPostgres(app, store, "a").await().onHand()).isEqualTo(5);
  }

  @Test
  @DisplayName("a store's inventory lists by SKU, page by page")
  void listing() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    for (String sku : List.of("e", "a", "d", "b", "c")) {
      api.stock(store, sku, 1, 100).await();
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      String path = "/v1/stores/" + store + "/inventory?limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
      JsonObject page = expect(api.get(path, api.adminToken()), 200).await();
      page.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getString("sku")));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertThat(seen).containsExactly("a", "b", "c", "d", "e");
    assertThat(api.get("/v1/stores/" + unique("none") + "/inventory", api.adminToken()).await().statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("duplicate SKUs in one order are merged; more distinct SKUs than allowed is 422 and holds nothing")
  void linesOfAnOrder() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    for (String sku : List.of("a", "b", "c", "d")) {
      api.stock(store, sku, 10, 100).await();
    }
    String token = api.customerToken(unique("cust"));

    JsonObject merged = expect(api.place(token, cardOrder(store, "tok_visa", items("a", 1, "b", 1, "a", 2))), 201).await();
    HttpResponse<Buffer> tooMany = api.place(token, cardOrder(store, "tok_visa", items("a", 1, "b", 1, "c", 1, "d", 1))).await();

    JsonArray lines = merged.getJsonArray("items");
    assertThat(lines).hasSize(2);
    assertThat(lines.getJsonObject(0).getInteger("quantity")).isEqualTo(3);
    assertThat(tooMany.statusCode()).isEqualTo(422);
    assertThat(tooMany.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:too-many-lines");
    assertThat(api.stockLevel(store, "c").await().getInteger("held")).isZero();
  }
}
