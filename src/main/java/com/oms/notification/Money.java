package com.oms.notification;

import java.math.BigDecimal;
import java.util.Currency;

final class Money {

  private Money() {
  }

  /** 12345 INR → "INR 123.45", using the currency's own number of minor digits. */
  static String format(long minorUnits, String currencyCode) {
    int digits = 2;
    try {
      digits = Math.max(0, Currency.getInstance(currencyCode).getDefaultFractionDigits());
    } catch (IllegalArgumentException | NullPointerException ignored) {
      // unknown code: assume cents
    }
    return currencyCode + " " + BigDecimal.valueOf(minorUnits, digits).toPlainString();
  }
}
