package com.oms.bus;

/** One line of an order as inventory sees it. */
public record StockLine(String sku, int quantity) implements BusMessage {
}
