package com.oms.payment;

/** Creates a {@link PaymentProvider}; found with {@link java.util.ServiceLoader}. */
public interface PaymentProviderFactory {

  /** The method the provider serves, e.g. {@code UPI}; its settings are {@code payment.providers.<method>}. */
  String method();

  PaymentProvider create(ProviderContext context);
}
