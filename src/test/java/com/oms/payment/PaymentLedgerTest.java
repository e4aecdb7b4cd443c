package com.oms.payment;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.support.SqlStatements;
import com.oms.support.Times;
import com.oms.testing.IntegrationTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Payments opened and settled in batches keep the guarantees of one statement per payment. */
class PaymentLedgerTest extends IntegrationTest {

  private PaymentLedger ledger(Vertx vertx) {
    Promise<PaymentLedger> made = Promise.promise();
    vertx.runOnContext(v -> made.complete(new PaymentLedger(vertx, app.app.writes(), SqlStatements.load("sql/payments.sql"),
      () -> Times.now(app.clock))));
    return made.future().await();
  }

  /** Submits one write per order in one go, from the ledger's event loop, so they share statements. */
  private static List<Row> together(Vertx vertx, List<UUID> orders, Function<UUID, Future<Row>> write) {
    Promise<List<Future<Row>>> submitted = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<Row>> answers = new ArrayList<>();
      orders.forEach(order -> answers.add(write.apply(order)));
      submitted.complete(answers);
    });
    List<Future<Row>> answers = submitted.future().await();
    Future.all(new ArrayList<Future<?>>(answers)).await();
    return answers.stream().map(Future::result).toList();
  }

  @Test
  @DisplayName("each order opened once with its first call counted, then only answered; settled forward only, each its own row")
  void batchedOpensAndSettles(Vertx vertx) {
    PaymentLedger ledger = ledger(vertx);
    List<UUID> orders = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      orders.add(UUID.randomUUID());
    }
    Function<UUID, Future<Row>> open = order -> ledger.open(new PaymentLedger.Opening(order, "cust-" + order, "CREDIT_CARD",
      1000 + orders.indexOf(order), "INR"));

    List<Row> opened = together(vertx, orders, open);
    for (int i = 0; i < orders.size(); i++) {
      assertThat(opened.get(i).getUUID("order_id")).isEqualTo(orders.get(i));
      assertThat(opened.get(i).getBoolean("opened")).isTrue();
      assertThat(opened.get(i).getInteger("attempts")).isEqualTo(1);
      assertThat(opened.get(i).getLong("amount")).isEqualTo(1000L + i);
    }
    List<Row> again = together(vertx, orders, open);
    assertThat(again).allSatisfy(row -> {
      assertThat(row.getBoolean("opened")).as("a repeat answers the payment as it is").isFalse();
      assertThat(row.getInteger("attempts")).isEqualTo(1);
    });

    // every other one succeeds, the rest are declined; then an out-of-order AUTHORIZED moves none back
    List<Row> settled = together(vertx, orders, order -> ledger.settle(new PaymentLedger.Settling(order,
      orders.indexOf(order) % 2 == 0 ? "SUCCEEDED" : "DECLINED", "ch_" + orders.indexOf(order), null)));
    for (int i = 0; i < orders.size(); i++) {
      assertThat(settled.get(i).getUUID("order_id")).isEqualTo(orders.get(i));
      assertThat(settled.get(i).getString("status")).isEqualTo(i % 2 == 0 ? "SUCCEEDED" : "DECLINED");
      assertThat(settled.get(i).getString("reference")).isEqualTo("ch_" + i);
    }
    List<Row> late = together(vertx, orders, order -> ledger.settle(new PaymentLedger.Settling(order, "AUTHORIZED", null, null)));
    assertThat(late).as("a payment never moves back").containsOnlyNulls();
    long succeeded = app.app.pool().preparedQuery("SELECT count(*) AS n FROM payments WHERE order_id = ANY($1) AND status = 'SUCCEEDED'")
      .execute(io.vertx.sqlclient.Tuple.of(orders.toArray(UUID[]::new))).await().iterator().next().getLong("n");
    assertThat(succeeded).isEqualTo(15);
  }
}
