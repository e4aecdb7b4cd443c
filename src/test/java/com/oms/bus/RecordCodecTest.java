package com.oms.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RecordCodecTest {

  private static final List<BusMessage> SAMPLES = List.of(
    new QuoteRequest("store-1", List.of("a", "b")),
    new Quote("store-1", "INR", Map.of("a", 1_000L, "b", 12_345_678_901L), 12.97, 77.59, "08:00", "22:00",
      "Asia/Kolkata", 15),
    new StockCommand("order-1", "store-1", List.of(new StockLine("a", 2), new StockLine("b", 1))),
    new HoldOutcome(false, List.of(new Shortage("a", 3, 1))),
    new ChargeRequest("order-1", "cust-1", "CREDIT_CARD", 2_000L, "INR", Map.of("token", "tok_visa")),
    new PaymentOutcome("order-1", PaymentOutcome.PENDING, "ref-1", null, Map.of("type", "redirect", "url", "https://bank/x")),
    new AssignRequest("order-1", "store-1", 12.97, 77.59, Map.of("address", "1 Road"), "2026-12-07T10:00:00Z"),
    new AssignOutcome(true, "rider-1"),
    new DeliveryProgress("order-1", "rider-1", "PICKED_UP"),
    new OrderStatusChanged("order-1", "cust-1", 3, "PAYMENT_SUCCESS", "DELIVERY_PARTNER_ASSIGNED", "partner assigned",
      "system:saga", "2026-12-07T10:00:00Z", "rider-1"));

  @Test
  @DisplayName("every bus record is a sample here, travels by reference locally and whole over the wire")
  <T extends BusMessage> void roundTrips() {
    assertThat(SAMPLES.stream().map(Object::getClass).toList())
      .containsExactlyInAnyOrderElementsOf(RecordCodec.MESSAGES);
    for (BusMessage sample : SAMPLES) {
      @SuppressWarnings("unchecked")
      Class<T> type = (Class<T>) sample.getClass();
      RecordCodec<T> codec = new RecordCodec<>(type);
      T record = type.cast(sample);
      assertThat(codec.transform(record)).isSameAs(record);
      Buffer wire = Buffer.buffer("prefix");
      codec.encodeToWire(wire, record);
      assertThat(codec.decodeFromWire("prefix".length(), wire)).as(type.getSimpleName()).isEqualTo(record);
      assertThat(BusMessage.fromJson(record.toJson(), type)).as("from JSON").isEqualTo(record);
    }
  }

  @Test
  @DisplayName("a record sent on the event bus arrives as the same instance, and JSON bodies are still understood")
  void localDelivery(Vertx vertx) {
    RecordCodec.registerAll(vertx.eventBus());
    RecordCodec.registerAll(vertx.eventBus()); // a second application on the same instance
    AssignOutcome sent = new AssignOutcome(true, "rider-1");
    vertx.eventBus().<Object>consumer("test.records", message -> message.reply(message.body()));
    Object echoed = vertx.eventBus().request("test.records", sent).await().body();
    assertThat(echoed).isSameAs(sent);
    Object json = vertx.eventBus().request("test.records", sent.toJson()).await().body();
    assertThat(BusMessage.fromJson(json, AssignOutcome.class)).isEqualTo(sent);
  }
}
