package com.oms.order;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OrderLifecycleTest extends IntegrationTest {

  @Test
  @DisplayName("a card order goes from placement to DELIVERED over HTTP, and the customer gets a confirmation email")
  void happyPath() throws Exception {
    String store = unique("store");
    String partner = unique("rider");
    String customer = unique("cust");
    String token = api.customerToken(customer);
    api.store(store, 12.9716, 77.5946).await();
    api.stock(store, "dosa", 10, 12000).await();
    api.stock(store, "coffee", 5, 4000).await();
    api.partner(partner, 12.972, 77.595).await();

    HttpResponse<Buffer> placed = api.place(token, cardOrder(store, "tok_visa", items("dosa", 2, "coffee", 1))).await();

    assertThat(placed.statusCode()).as(placed.bodyAsString()).isEqualTo(201);
    JsonObject order = placed.bodyAsJsonObject();
    String orderId = order.getString("orderId");
    assertThat(placed.getHeader("Location")).isEqualTo("/v1/orders/" + orderId);
    // recorded with its stock held; PAYMENT_PENDING is written after the answer (PlacementResumeTest)
    assertThat(order.getString("status")).isEqualTo("CREATED");
    assertThat(order.getJsonObject("total")).isEqualTo(new JsonObject().put("amount", 28000).put("currency", "INR"));
    assertThat(order.getJsonObject("payment").getString("method")).isEqualTo("CREDIT_CARD");
    assertThat(order.encode()).doesNotContain("tok_visa");

    JsonObject assigned = Poll.until(app.vertx, () -> api.order(orderId, token),
      o -> o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED"), DEADLINE, "partner assignment").await();
    assertThat(assigned.getJsonObject("delivery").getString("partnerId")).isEqualTo(partner);
    assertThat(assigned.getJsonObject("payment").getString("status")).isEqualTo("SUCCEEDED");
    assertThat(assigned.getJsonObject("payment").getString("reference")).startsWith("ch_");

    JsonObject dosa = api.stockLevel(store, "dosa").await();
    assertThat(dosa.getInteger("onHand")).isEqualTo(10);
    assertThat(dosa.getInteger("held")).isZero();
    assertThat(dosa.getInteger("reserved")).isEqualTo(2);
    assertThat(dosa.getInteger("available")).isEqualTo(8);

    String partnerToken = api.partnerToken(partner);
    JsonObject deliveries = expect(api.get("/v1/partners/" + partner + "/deliveries", partnerToken), 200).await();
    assertThat(deliveries.getJsonArray("deliveries").getJsonObject(0).getString("orderId")).isEqualTo(orderId);

    JsonObject pickedUp = expect(api.post("/v1/deliveries/" + orderId + "/status", partnerToken,
      new JsonObject().put("status", "PICKED_UP")), 200).await();
    assertThat(pickedUp.getString("status")).isEqualTo("PICKED_UP");
    dosa = api.stockLevel(store, "dosa").await();
    assertThat(dosa.getInteger("onHand")).isEqualTo(8);
    assertThat(dosa.getInteger("reserved")).isZero();

    expect(api.post("/v1/deliveries/" + orderId + "/status", partnerToken,
      new JsonObject().put("status", "DELIVERED")), 200).await();
    assertThat(api.order(orderId, token).await().getString("status")).isEqualTo("DELIVERED");

    JsonArray events = expect(api.get("/v1/orders/" + orderId + "/events", token), 200).await().getJsonArray("events");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("to")).toList()).containsExactly(
      "CREATED", "PAYMENT_PENDING", "PAYMENT_SUCCESS", "INVENTORY_RESERVED", "DELIVERY_PARTNER_ASSIGNED",
      "PICKED_UP", "DELIVERED");
    assertThat(events.getJsonObject(5).getString("actor")).isEqualTo("partner:" + partner);
    for (int i = 0; i < events.size(); i++) {
      // one version per status entered, each step from where the previous one left the order (the
      // reservation and the assignment are written together, as two steps)
      assertThat(events.getJsonObject(i).getInteger("seq")).isEqualTo(i + 1);
      assertThat(events.getJsonObject(i).getString("from")).isEqualTo(i == 0 ? null : events.getJsonObject(i - 1).getString("to"));
    }
    assertThat(events.getJsonObject(3).getString("reason")).isEqualTo("stock reserved");

    JsonObject confirmation = Poll.until(app.vertx,
      () -> expect(api.get("/v1/orders/" + orderId + "/notifications", token), 200),
      n -> n.getJsonArray("notifications").stream().anyMatch(x -> ((JsonObject) x).getString("event").equals("ORDER_CONFIRMED")
        && ((JsonObject) x).getString("channel").equals("EMAIL") && ((JsonObject) x).getString("status").equals("SENT")),
      DEADLINE, "the confirmation to be sent").await();
    assertThat(confirmation.getJsonArray("notifications").stream()
      .filter(n -> ((JsonObject) n).getString("event").equals("ORDER_CONFIRMED"))
      .map(n -> ((JsonObject) n).getString("channel"))).as("no phone on the order: no SMS").containsExactlyInAnyOrder("EMAIL", "PUSH");
    List<MimeMessage> inbox = com.oms.testing.TestStack.get().smtp().received();
    assertThat(inbox.stream().filter(m -> subject(m).equals("Order " + orderId + " confirmed"))).hasSize(1);
  }

  private static String subject(MimeMessage message) {
    try {
      return message.getSubject();
    } catch (Exception e) {
      return "";
    }
  }
}
