package com.oms.payment.wallet;

import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.support.SqlStatements;
import com.oms.support.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;

/** Customer wallets in Postgres: top-ups by admins, debits for payments, credits for refunds. */
public final class Wallets {

  /** What a debit came to. */
  public enum Debit { DEBITED, ALREADY_DEBITED, INSUFFICIENT_FUNDS, NO_WALLET, CURRENCY_MISMATCH }

  private final Pool pool;
  private final Clock clock;
  private final SqlStatements sql = SqlStatements.load("sql/wallets.sql");

  public Wallets(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Spends {@code amount} once per order; never below zero, whatever runs concurrently. */
  public Future<Debit> debit(String customerId, long amount, String currency, String orderId) {
    Tuple params = Tuple.of(customerId, amount, currency, Times.now(clock), orderId);
    return pool.preparedQuery(sql.get("debit")).execute(params).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(Debit.DEBITED);
      }
      return find(customerId).map(wallet -> {
        if (wallet == null) {
          return Debit.NO_WALLET;
        }
        return currency.equals(wallet.getString("currency")) ? Debit.INSUFFICIENT_FUNDS : Debit.CURRENCY_MISMATCH;
      });
    }).recover(failure -> isDuplicate(failure)
      ? Future.succeededFuture(Debit.ALREADY_DEBITED)
      : Future.failedFuture(failure));
  }

  /** Gives a payment back once per order; answers whether this call credited it. */
  public Future<Boolean> credit(String customerId, long amount, String orderId) {
    Tuple params = Tuple.of(customerId, amount, Times.now(clock), orderId);
    return pool.preparedQuery(sql.get("credit")).execute(params).map(rows -> rows.size() > 0)
      .recover(failure -> isDuplicate(failure) ? Future.succeededFuture(false) : Future.failedFuture(failure));
  }

  /** The transaction of {@code kind} for {@code reference}, or null. */
  public Future<Row> transaction(String customerId, String kind, String reference) {
    return pool.preparedQuery(sql.get("find-transaction")).execute(Tuple.of(customerId, kind, reference))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  /**
   * Adds money once per Idempotency-Key; a repeat answers the wallet as it is, the key reused for another
   * amount is refused.
   */
  public Future<JsonObject> topUp(String customerId, long amount, String currency, String idempotencyKey) {
    return transaction(customerId, "TOPUP", idempotencyKey).compose(earlier -> {
      if (earlier != null) {
        if (earlier.getLong("amount") != amount) {
          return Future.failedFuture(new Problem(ProblemType.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key already topped up " + earlier.getLong("amount")));
        }
        return view(customerId).map(wallet -> wallet.put("replayed", true));
      }
      return pool.preparedQuery(sql.get("open-wallet")).execute(Tuple.of(customerId, currency, Times.now(clock)))
        .compose(v -> pool.preparedQuery(sql.get("top-up"))
          .execute(Tuple.of(customerId, amount, currency, Times.now(clock), idempotencyKey)))
        .compose(rows -> rows.size() > 0
          ? view(customerId)
          : Future.failedFuture(new Problem(ProblemType.MIXED_CURRENCY, "this wallet holds another currency")))
        .recover(failure -> isDuplicate(failure) ? view(customerId) : Future.failedFuture(failure));
    });
  }

  /** The wallet with its latest transactions; an empty wallet for a customer who never had one. */
  public Future<JsonObject> view(String customerId) {
    Future<Row> wallet = find(customerId);
    Future<JsonArray> recent = pool.preparedQuery(sql.get("recent-transactions")).execute(Tuple.of(customerId, 20))
      .map(rows -> {
        JsonArray items = new JsonArray();
        for (Row row : rows) {
          items.add(new JsonObject()
            .put("kind", row.getString("kind"))
            .put("amount", row.getLong("amount"))
            .put("balanceAfter", row.getLong("balance_after"))
            .put("reference", row.getString("reference"))
            .put("at", Times.iso(row.getOffsetDateTime("created_at"))));
        }
        return items;
      });
    return Future.all(wallet, recent).map(done -> {
      Row row = wallet.result();
      JsonObject balance = row == null
        ? new JsonObject().put("amount", 0).putNull("currency")
        : new JsonObject().put("amount", row.getLong("balance")).put("currency", row.getString("currency"));
      return new JsonObject().put("customerId", customerId).put("balance", balance).put("transactions", recent.result());
    });
  }

  private Future<Row> find(String customerId) {
    return pool.preparedQuery(sql.get("find-wallet")).execute(Tuple.of(customerId))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private static boolean isDuplicate(Throwable failure) {
    return failure instanceof PgException pg && "23505".equals(pg.getSqlState());
  }
}
