package com.oms.delivery;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rows that many orders write (a partner's count of deliveries, a SKU's stock level) under group commit
 * with several groups in flight: two groups that each held one such row and waited for the other's
 * deadlocked, and Postgres refused one after its deadlock_timeout. Those writes have a lane of their own.
 */
class SharedRowsTest extends IntegrationTest {

  private static final double LAT = -30.5;
  private static final double LON = 150.25;

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("postgres").put("groupCommitsInFlight", 2).put("groupCommitOverlapAfter", 1);
    config.getJsonObject("delivery").put("partnerCapacity", 4);
  }

  @Test
  @DisplayName("48 orders over 12 partners and 2 SKUs picked up and delivered at once, two groups in flight: no group deadlocks, every count right")
  void concurrentDeliveriesDoNotDeadlock() {
    String store = unique("store");
    api.store(store, LAT, LON).await();
    api.stock(store, "a", 1000, 500).await();
    api.stock(store, "b", 1000, 500).await();
    List<String> partners = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String partner = unique("rider");
      api.partner(partner, LAT + i * 0.001, LON).await();
      partners.add(partner);
    }
    List<Future<String>> placed = new ArrayList<>();
    String customer = api.customerToken(unique("cust"));
    for (int i = 0; i < 48; i++) {
      // one SKU per order, alternating: deductions of different orders then take the stock rows in
      // different orders across a group, which a single statement's SKU ordering cannot prevent
      placed.add(expect(api.place(customer, cardOrder(store, "tok_visa", items(i % 2 == 0 ? "a" : "b", 1))), 201)
        .map(body -> body.getString("orderId")));
    }
    List<String> orders = Future.all(placed).await().list();
    List<String> partnerOf = new ArrayList<>();
    for (String order : orders) {
      partnerOf.add(Poll.until(app.vertx, () -> api.order(order, customer),
          o -> "DELIVERY_PARTNER_ASSIGNED".equals(o.getString("status")), DEADLINE, order + " assigned").await()
        .getJsonObject("delivery").getString("partnerId"));
    }

    report(orders, partnerOf, "PICKED_UP");
    report(orders, partnerOf, "DELIVERED");

    for (String order : orders) {
      Poll.until(app.vertx, () -> api.order(order, customer), o -> "DELIVERED".equals(o.getString("status")),
        DEADLINE, order + " delivered").await();
    }
    assertThat(api.stockLevel(store, "a").await().getInteger("onHand")).isEqualTo(1000 - 24);
    assertThat(api.stockLevel(store, "b").await().getInteger("onHand")).isEqualTo(1000 - 24);
    for (Row row : app.app.pool().preparedQuery("SELECT active_deliveries FROM partners WHERE partner_id = ANY ($1)")
      .execute(Tuple.of(partners.toArray(String[]::new))).await()) {
      assertThat(row.getInteger("active_deliveries")).isZero();
    }
    double refused = app.registry.find("oms.db.group.rewritten").counters().stream().mapToDouble(Counter::count).sum();
    assertThat(refused).as("groups Postgres refused (deadlocks among them)").isZero();
    // each order's assignment, pickup, delivery and deduction: all four write a shared row
    assertThat(app.registry.find("oms.db.group.statements").tag("lane", "shared-rows").summary().totalAmount())
      .as("statements written in the shared rows' lane").isGreaterThanOrEqualTo(4 * orders.size());
  }

  /** Every order's partner reports the step at once. */
  private void report(List<String> orders, List<String> partnerOf, String status) {
    List<Future<JsonObject>> reports = new ArrayList<>();
    for (int i = 0; i < orders.size(); i++) {
      reports.add(expect(api.post("/v1/deliveries/" + orders.get(i) + "/status", api.partnerToken(partnerOf.get(i)),
        new JsonObject().put("status", status)), 200));
    }
    Future.all(reports).await();
  }
}
