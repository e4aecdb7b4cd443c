package com.oms.bus;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Carries a {@link BusMessage} record by reference within one Vert.x instance and as JSON between cluster
 * members. Sending the record's JSON instead cost every hop a conversion to JSON, a copy of it (the JSON
 * codec copies, as a JSON object is mutable) and a conversion back: 9% of the event loop's Java samples
 * at 400 placements/s (JFR). Records are immutable, so the receiver can have the sender's instance.
 */
public final class RecordCodec<T extends BusMessage> implements MessageCodec<T, T> {

  /** Every record sent on its own as a message body. */
  static final List<Class<? extends BusMessage>> MESSAGES = List.of(QuoteRequest.class, Quote.class,
    StockCommand.class, HoldOutcome.class, ChargeRequest.class, PaymentOutcome.class, AssignRequest.class,
    AssignOutcome.class, DeliveryProgress.class, OrderStatusChanged.class);

  private final Class<T> type;

  RecordCodec(Class<T> type) {
    this.type = type;
  }

  /** Makes each record in {@link #MESSAGES} travel with this codec on {@code bus}; again is harmless. */
  public static void registerAll(EventBus bus) {
    for (Class<? extends BusMessage> type : MESSAGES) {
      register(bus, type);
    }
  }

  private static <T extends BusMessage> void register(EventBus bus, Class<T> type) {
    bus.unregisterDefaultCodec(type);
    bus.registerDefaultCodec(type, new RecordCodec<>(type));
  }

  @Override
  public void encodeToWire(Buffer buffer, T record) {
    byte[] json;
    try {
      json = BusMessage.MAPPER.writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    buffer.appendInt(json.length).appendBytes(json);
  }

  @Override
  public T decodeFromWire(int position, Buffer buffer) {
    int length = buffer.getInt(position);
    try {
      return BusMessage.MAPPER.readValue(buffer.getBytes(position + 4, position + 4 + length), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public T transform(T record) {
    return record;
  }

  @Override
  public String name() {
    return "oms-record:" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
