package com.oms.bus;

public record Shortage(String sku, int requested, int available) implements BusMessage {
}
