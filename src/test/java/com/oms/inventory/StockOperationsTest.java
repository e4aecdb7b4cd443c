package com.oms.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Addresses;
import com.oms.bus.HoldOutcome;
import com.oms.bus.BusMessage;
import com.oms.bus.StockCommand;
import com.oms.bus.StockLine;
import com.oms.testing.IntegrationTest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The inventory commands as the order domain sends them over the event bus, repeated and raced. */
class StockOperationsTest extends IntegrationTest {

  private String store;

  private StockCommand order(int a, int b) {
    return new StockCommand(UUID.randomUUID().toString(), store, List.of(new StockLine("a", a), new StockLine("b", b)));
  }

  private Future<JsonObject> send(String address, StockCommand command) {
    return app.vertx.eventBus().request(address, command).map(m -> BusMessage.asJson(m.body()));
  }

  /** Sends the command {@code times} times at once; answers every reply. */
  private List<JsonObject> race(String address, StockCommand command, int times) {
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      replies.add(send(address, command));
    }
    Future.all(replies).await();
    return replies.stream().map(Future::result).toList();
  }

  private StockFigures figures(String sku) {
    StockFigures redis = StockFigures.inRedis(app, store, sku).await();
    assertThat(redis).as("Redis equals Postgres for " + sku).isEqualTo(StockFigures.inPostgres(app, store, sku).await());
    return redis;
  }

  @Test
  @DisplayName("hold, commit, deduct and release, each sent five times at once, change stock once and answer alike")
  void everyOperationIsIdempotent() {
    store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 100).await();
    api.stock(store, "b", 10, 100).await();
    StockCommand first = order(2, 3);
    StockCommand second = order(1, 1);

    assertThat(race(Addresses.INVENTORY_HOLD, first, 5)).allSatisfy(reply ->
      assertThat(BusMessage.fromJson(reply, HoldOutcome.class).held()).isTrue());
    race(Addresses.INVENTORY_HOLD, second, 5);
    assertThat(figures("a")).isEqualTo(new StockFigures(10, 3, 0));
    assertThat(figures("b")).isEqualTo(new StockFigures(10, 4, 0));

    assertThat(race(Addresses.INVENTORY_COMMIT, first, 5)).allSatisfy(reply ->
      assertThat(reply.getString("state")).isEqualTo("RESERVED"));
    assertThat(figures("a")).isEqualTo(new StockFigures(10, 1, 2));

    assertThat(race(Addresses.INVENTORY_DEDUCT, first, 5)).allSatisfy(reply ->
      assertThat(reply.getString("state")).isEqualTo("DEDUCTED"));
    assertThat(figures("a")).isEqualTo(new StockFigures(8, 1, 0));
    assertThat(figures("b")).isEqualTo(new StockFigures(7, 1, 0));

    assertThat(race(Addresses.INVENTORY_RELEASE, second, 5)).allSatisfy(reply ->
      assertThat(reply.getString("state")).isEqualTo("RELEASED"));
    assertThat(figures("a")).isEqualTo(new StockFigures(8, 0, 0));
    // a deducted order has nothing to give back
    assertThat(send(Addresses.INVENTORY_RELEASE, first).await().getString("state")).isEqualTo("DEDUCTED");
    assertThat(figures("b")).isEqualTo(new StockFigures(7, 0, 0));
  }

  @Test
  @DisplayName("a hold arriving after its order was released (a late retry, or a placement's hold whose claim came with the order) takes nothing")
  void lateHoldAfterRelease() {
    store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 5, 100).await();
    api.stock(store, "b", 5, 100).await();

    for (String address : List.of(Addresses.INVENTORY_HOLD, Addresses.INVENTORY_HOLD_CLAIMED)) {
      StockCommand late = order(1, 1);
      assertThat(send(Addresses.INVENTORY_RELEASE, late).await().getString("state")).isEqualTo("RELEASED");
      Future<JsonObject> hold = send(address, late);
      hold.otherwiseEmpty().await();

      assertThat(hold.failed()).as(address).isTrue();
      assertThat(figures("a")).as(address).isEqualTo(new StockFigures(5, 0, 0));
    }
  }

  @Test
  @DisplayName("a hold of several lines is all or nothing: one short line holds none of them")
  void allOrNothing() {
    store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 5, 100).await();
    api.stock(store, "b", 1, 100).await();

    HoldOutcome outcome = BusMessage.fromJson(send(Addresses.INVENTORY_HOLD, order(5, 2)).await(), HoldOutcome.class);

    assertThat(outcome.held()).isFalse();
    assertThat(outcome.shortages()).extracting("sku", "requested", "available").containsExactly(
      org.assertj.core.groups.Tuple.tuple("b", 2, 1));
    assertThat(figures("a")).isEqualTo(new StockFigures(5, 0, 0));
    assertThat(figures("b")).isEqualTo(new StockFigures(1, 0, 0));
  }
}
