package com.oms.bus;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import java.util.Map;

/**
 * A record that crosses the event bus. Within one Vert.x instance it travels by reference (records are
 * immutable; see {@link RecordCodec}), between cluster members as JSON. Only the record's components are
 * mapped (helper methods such as {@code succeeded()} are not properties), and unknown fields are ignored
 * so a newer sender does not break an older receiver. Receivers accept the record or its JSON.
 */
public interface BusMessage {

  ObjectMapper MAPPER = DatabindCodec.mapper().copy()
    .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
    .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
    .setVisibility(PropertyAccessor.CREATOR, Visibility.ANY)
    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @SuppressWarnings("unchecked")
  default JsonObject toJson() {
    return new JsonObject(MAPPER.convertValue(this, Map.class));
  }

  /** The record a message carries: the record itself, or one read from its JSON. */
  static <T extends BusMessage> T fromJson(Object body, Class<T> type) {
    if (type.isInstance(body)) {
      return type.cast(body);
    }
    return MAPPER.convertValue(((JsonObject) body).getMap(), type);
  }

  /** Sends a command and reads its reply as a {@code reply} record. */
  static <T extends BusMessage> Future<T> request(EventBus bus, String address, Object body, DeliveryOptions options,
                                                  Class<T> reply) {
    return bus.request(address, body, options).map(message -> fromJson(message.body(), reply));
  }

  /** A message body as JSON, whether it is a record or already JSON. */
  static JsonObject asJson(Object body) {
    return body instanceof BusMessage record ? record.toJson() : (JsonObject) body;
  }
}
