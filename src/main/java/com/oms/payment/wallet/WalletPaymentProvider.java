package com.oms.payment.wallet;

import com.oms.bus.ChargeRequest;
import com.oms.payment.PaymentProvider;
import com.oms.payment.PaymentProviderFactory;
import com.oms.payment.ProviderContext;
import io.vertx.core.Future;

/** The customer's wallet, settled by the service itself in Postgres: synchronous, no gateway. */
public final class WalletPaymentProvider implements PaymentProvider {

  private final Wallets wallets;

  public WalletPaymentProvider(ProviderContext context) {
    this.wallets = new Wallets(context.pool(), context.clock());
  }

  public static final class Factory implements PaymentProviderFactory {
    @Override
    public String method() {
      return "WALLET";
    }

    @Override
    public PaymentProvider create(ProviderContext context) {
      return new WalletPaymentProvider(context);
    }
  }

  @Override
  public String method() {
    return "WALLET";
  }

  @Override
  public Future<ProviderResult> charge(ChargeRequest request) {
    return wallets.debit(request.customerId(), request.amount(), request.currency(), request.orderId())
      .map(debit -> switch (debit) {
        case DEBITED, ALREADY_DEBITED -> ProviderResult.of("SUCCEEDED", "wallet-" + request.orderId());
        case INSUFFICIENT_FUNDS -> new ProviderResult("DECLINED", null, "insufficient_funds", null);
        case NO_WALLET -> new ProviderResult("DECLINED", null, "no_wallet", null);
        case CURRENCY_MISMATCH -> new ProviderResult("DECLINED", null, "currency_mismatch", null);
      });
  }

  @Override
  public Future<ProviderResult> status(ChargeRequest request) {
    return wallets.transaction(request.customerId(), "DEBIT", request.orderId())
      .map(row -> row == null ? ProviderResult.none() : ProviderResult.of("SUCCEEDED", "wallet-" + request.orderId()));
  }

  @Override
  public Future<ProviderResult> refund(ChargeRequest request, String reference) {
    return wallets.credit(request.customerId(), request.amount(), request.orderId())
      .map(credited -> ProviderResult.of("REFUNDED", "wallet-refund-" + request.orderId()));
  }
}
