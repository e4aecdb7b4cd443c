package com.oms.bus;

import java.util.List;

/**
 * Hold, commit, release or deduct the lines of one order. Always the full lines, so inventory can act
 * on every SKU key atomically even when its own record of the order is gone.
 */
public record StockCommand(String orderId, String storeId, List<StockLine> lines) implements BusMessage {
}
