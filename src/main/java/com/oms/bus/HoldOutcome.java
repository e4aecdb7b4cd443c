package com.oms.bus;

import java.util.List;

/** Either every line is held, or nothing is and each short SKU is named. */
public record HoldOutcome(boolean held, List<Shortage> shortages) implements BusMessage {
}
