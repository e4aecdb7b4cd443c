package com.oms.payment;

import com.oms.support.Batcher;
import com.oms.support.GroupCommit;
import com.oms.support.SqlStatements;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The two writes every charge makes, each in batches ({@link Batcher}): opening the payment (its first
 * gateway call counted) before the gateway is called, and settling it with the gateway's answer. The
 * orders that arrive while a statement runs share the next one; one order is never twice in a statement.
 */
final class PaymentLedger {

  private static final int MAX_BATCH = 128;
  private static final int MAX_CONCURRENT_BATCHES = 1;

  record Opening(UUID orderId, String customerId, String method, long amount, String currency) {
  }

  record Settling(UUID orderId, String status, String reference, String declineCode) {
  }

  private final GroupCommit.Writes writes;
  private final SqlStatements sql;
  private final Supplier<OffsetDateTime> clock;
  private final Batcher<Opening, Row> opens;
  private final Batcher<Settling, Row> settles;

  PaymentLedger(Vertx vertx, GroupCommit.Writes writes, SqlStatements sql, Supplier<OffsetDateTime> clock) {
    this.writes = writes;
    this.sql = sql;
    this.clock = clock;
    this.opens = new Batcher<>(vertx, MAX_BATCH, MAX_CONCURRENT_BATCHES, Opening::orderId, this::open);
    this.settles = new Batcher<>(vertx, MAX_BATCH, MAX_CONCURRENT_BATCHES, Settling::orderId, this::settle);
  }

  /** The order's payment row, with {@code opened} true when this call opened it; null when a concurrent opening hides it. */
  Future<Row> open(Opening opening) {
    return opens.submit(opening);
  }

  /** The payment row after moving forward, or null when it may not move (it moved on already). */
  Future<Row> settle(Settling settling) {
    return settles.submit(settling);
  }

  private Future<List<Row>> open(List<Opening> batch) {
    int size = batch.size();
    UUID[] orders = new UUID[size];
    String[] customers = new String[size];
    String[] methods = new String[size];
    Long[] amounts = new Long[size];
    String[] currencies = new String[size];
    for (int i = 0; i < size; i++) {
      Opening opening = batch.get(i);
      orders[i] = opening.orderId();
      customers[i] = opening.customerId();
      methods[i] = opening.method();
      amounts[i] = opening.amount();
      currencies[i] = opening.currency();
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(orders).addArrayOfString(customers).addArrayOfString(methods)
      .addArrayOfLong(amounts).addArrayOfString(currencies).addOffsetDateTime(clock.get());
    return writes.execute(sql.get("open-payments"), params).map(rows -> inOrder(batch.stream().map(Opening::orderId).toList(), rows));
  }

  private Future<List<Row>> settle(List<Settling> batch) {
    int size = batch.size();
    UUID[] orders = new UUID[size];
    String[] statuses = new String[size];
    String[] references = new String[size];
    String[] declines = new String[size];
    for (int i = 0; i < size; i++) {
      Settling settling = batch.get(i);
      orders[i] = settling.orderId();
      statuses[i] = settling.status();
      references[i] = settling.reference();
      declines[i] = settling.declineCode();
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(orders).addArrayOfString(statuses).addArrayOfString(references)
      .addArrayOfString(declines).addOffsetDateTime(clock.get());
    return writes.execute(sql.get("settle-payments"), params).map(rows -> inOrder(batch.stream().map(Settling::orderId).toList(), rows));
  }

  private static List<Row> inOrder(List<UUID> orders, Iterable<Row> rows) {
    Map<UUID, Row> byOrder = new HashMap<>();
    rows.forEach(row -> byOrder.put(row.getUUID("order_id"), row));
    List<Row> answers = new ArrayList<>(orders.size());
    orders.forEach(order -> answers.add(byOrder.get(order)));
    return answers;
  }
}
