package com.oms.bus;

import java.util.List;

public record QuoteRequest(String storeId, List<String> skus) implements BusMessage {
}
