package com.oms.bus;

import java.util.Map;

/** Find a partner for an order; {@code expectedPickupAt} (ISO instant) is when the partner should be at the store. */
public record AssignRequest(String orderId, String storeId, double storeLat, double storeLon,
                            Map<String, Object> dropoff, String expectedPickupAt) implements BusMessage {
}
