package com.oms.order;

import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UnpaidOrderCapTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("order").put("maxUnpaidPerCustomer", 2);
  }

  private static JsonObject upiOrder(String store, String vpa) {
    return new JsonObject().put("storeId", store).put("items", items("a", 1))
      .put("payment", new JsonObject().put("method", "UPI").put("vpa", vpa))
      .put("delivery", new JsonObject().put("address", "1 Test Street")
        .put("location", new JsonObject().put("lat", 12.975).put("lon", 77.605)));
  }

  @Test
  @DisplayName("a customer with the maximum of unpaid orders gets 429 and holds no more stock; paying or cancelling frees a place")
  void capOnUnpaidOrders() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 100).await();
    String hoarder = api.customerToken(unique("hoarder"));

    String first = expect(api.place(hoarder, upiOrder(store, "pending@upi")), 201).await().getString("orderId");
    expect(api.place(hoarder, upiOrder(store, "pending@upi")), 201).await();
    HttpResponse<Buffer> third = api.place(hoarder, upiOrder(store, "pending@upi")).await();

    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.bodyAsJsonObject().getString("type")).isEqualTo("urn:oms:problem:too-many-unpaid-orders");
    assertThat(third.bodyAsJsonObject().getInteger("maxUnpaid")).isEqualTo(2);
    assertThat(api.stockLevel(store, "a").await().getInteger("available")).as("the refused order holds nothing").isEqualTo(8);
    assertThat(expect(api.get("/v1/orders", hoarder), 200).await().getJsonArray("orders")).hasSize(2);

    String other = api.customerToken(unique("other"));
    expect(api.place(other, upiOrder(store, "pending@upi")), 201).await();

    expect(api.post("/v1/orders/" + first + "/cancel", hoarder, new JsonObject().put("reason", "changed my mind")), 200).await();
    expect(api.place(hoarder, upiOrder(store, "pending@upi")), 201).await();
  }
}
