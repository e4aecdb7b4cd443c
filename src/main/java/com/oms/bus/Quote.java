package com.oms.bus;

import java.util.Map;

/** Unit prices (minor units) of the asked SKUs, in the store's one currency, and where to pick up. */
public record Quote(String storeId, String currency, Map<String, Long> unitPrices, double storeLat, double storeLon)
  implements BusMessage {
}
