package com.oms.dev;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PartnerSimulatorTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.put("simulation", new JsonObject().put("partners", true).put("partnerPrefix", "sim-")
      .put("pickupAfter", "PT0.05S").put("deliverAfter", "PT0.05S"));
  }

  @Test
  @DisplayName("in simulation mode an order assigned to a simulated partner is picked up and delivered with no manual step")
  void simulatedPartnerDelivers() {
    String store = unique("store");
    String partner = unique("sim-rider");
    String token = api.customerToken(unique("cust"));
    api.store(store, 12.9716, 77.5946).await();
    api.stock(store, "dosa", 10, 12000).await();
    api.partner(partner, 12.972, 77.595).await();

    String orderId = expect(api.place(token, cardOrder(store, "tok_visa", items("dosa", 2))), 201).await().getString("orderId");

    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("DELIVERED"), DEADLINE,
      "the simulated partner to deliver").await();
    JsonArray events = expect(api.get("/v1/orders/" + orderId + "/events", token), 200).await().getJsonArray("events");
    List<String> pickupAndDelivery = events.stream().map(e -> (JsonObject) e)
      .filter(e -> List.of("PICKED_UP", "DELIVERED").contains(e.getString("to")))
      .map(e -> e.getString("to") + " by " + e.getString("actor")).toList();
    assertThat(pickupAndDelivery).containsExactly("PICKED_UP by partner:" + partner, "DELIVERED by partner:" + partner);
    JsonObject dosa = api.stockLevel(store, "dosa").await();
    assertThat(dosa.getInteger("onHand")).as("pickup deducted the stock").isEqualTo(8);
    assertThat(dosa.getInteger("reserved")).isZero();
  }

  @Test
  @DisplayName("a partner without the simulation prefix is never driven by the simulator")
  void realPartnersAreLeftAlone() {
    String realStore = unique("store");
    String realPartner = unique("rider");
    api.store(realStore, 13.5, 77.5946).await(); // 59 km north: out of the simulated partner's reach
    api.stock(realStore, "idli", 10, 5000).await();
    api.partner(realPartner, 13.5004, 77.595).await();
    String simStore = unique("store");
    api.store(simStore, 14.1, 77.5946).await();
    api.stock(simStore, "idli", 10, 5000).await();
    api.partner(unique("sim-rider"), 14.1004, 77.595).await();
    String token = api.customerToken(unique("cust"));

    String realOrder = expect(api.place(token, cardOrder(realStore, "tok_visa", items("idli", 1))), 201).await()
      .getString("orderId");
    Poll.until(app.vertx, () -> api.order(realOrder, token), o -> o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED"),
      DEADLINE, "assignment of the real partner").await();
    // the simulated order is assigned after the real one, so by the time it is delivered the simulator has
    // had longer than its pickup delay to (wrongly) act on the real one
    String simOrder = expect(api.place(token, cardOrder(simStore, "tok_visa", items("idli", 1))), 201).await()
      .getString("orderId");
    Poll.until(app.vertx, () -> api.order(simOrder, token), o -> o.getString("status").equals("DELIVERED"), DEADLINE,
      "the simulated partner to deliver").await();

    JsonObject real = api.order(realOrder, token).await();
    assertThat(real.getString("status")).isEqualTo("DELIVERY_PARTNER_ASSIGNED");
    assertThat(real.getJsonObject("delivery").getString("partnerId")).isEqualTo(realPartner);
  }
}
