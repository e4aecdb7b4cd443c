package com.oms.bus;

import java.util.Map;

public record AssignRequest(String orderId, String storeId, double storeLat, double storeLon,
                            Map<String, Object> dropoff) implements BusMessage {
}
