package com.oms.bus;

import java.util.Map;

/**
 * Unit prices (minor units) of the asked SKUs, in the store's one currency; where to pick up; and when
 * the store is open (local times in its time zone; opens == closes means always) and how long it needs
 * to prepare an order.
 */
public record Quote(String storeId, String currency, Map<String, Long> unitPrices, double storeLat, double storeLon,
                    String opens, String closes, String timeZone, int preparationMinutes) implements BusMessage {
}
