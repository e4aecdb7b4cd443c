package com.oms.inventory;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InventoryConcurrencyTest extends IntegrationTest {

  @Test
  @DisplayName("80 customers racing for scarce stock: holds are all-or-none, nothing is oversold, Redis and Postgres agree")
  void noOversellUnderContention() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    Map<String, Integer> stock = Map.of("a", 12, "b", 9, "c", 30);
    stock.forEach((sku, quantity) -> api.stock(store, sku, quantity, 100).await());
    Random random = new Random(20261125);
    List<JsonArray> requests = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      JsonArray lines = items("a", 1 + random.nextInt(2), "c", 1);
      if (random.nextBoolean()) {
        lines.add(new JsonObject().put("sku", "b").put("quantity", 1 + random.nextInt(3)));
      }
      requests.add(lines);
    }

    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (JsonArray lines : requests) {
      responses.add(api.place(api.customerToken(unique("cust")), cardOrder(store, "tok_visa", lines)));
    }
    Future.join(responses).await();

    Map<String, Integer> taken = new HashMap<>();
    int accepted = 0;
    for (int i = 0; i < requests.size(); i++) {
      HttpResponse<Buffer> response = responses.get(i).result();
      assertThat(response.statusCode()).as(response.bodyAsString()).isIn(201, 409);
      if (response.statusCode() == 201) {
        accepted++;
        requests.get(i).forEach(l -> taken.merge(((JsonObject) l).getString("sku"), ((JsonObject) l).getInteger("quantity"), Integer::sum));
      } else {
        assertThat(response.bodyAsJsonObject().getJsonArray("shortages")).isNotEmpty();
      }
    }
    assertThat(accepted).isPositive().isLessThan(80);
    for (String sku : stock.keySet()) {
      JsonObject level = api.stockLevel(store, sku).await();
      int committed = level.getInteger("held") + level.getInteger("reserved");
      assertThat(committed).as(sku + " committed").isEqualTo(taken.getOrDefault(sku, 0)).isLessThanOrEqualTo(stock.get(sku));
      assertThat(level.getInteger("available")).isEqualTo(stock.get(sku) - committed);
      assertThat(ledgerCommitted(store, sku)).as(sku + " in the Postgres ledger").isEqualTo(committed);
    }
  }

  @Test
  @DisplayName("after Redis forgets the scripts (SCRIPT FLUSH), holds fall back to EVAL and keep working")
  void noScriptFallback() {
    String store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 3, 100).await();
    app.app.redis().send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await();

    String token = api.customerToken(unique("cust"));
    expect(api.place(token, cardOrder(store, "tok_visa", items("a", 2))), 201).await();
    HttpResponse<Buffer> tooMuch = api.place(token, cardOrder(store, "tok_visa", items("a", 2))).await();

    assertThat(tooMuch.statusCode()).isEqualTo(409);
    JsonObject level = api.stockLevel(store, "a").await();
    assertThat(level.getInteger("held") + level.getInteger("reserved")).isEqualTo(2);
  }

  private int ledgerCommitted(String store, String sku) {
    Row row = app.app.pool().preparedQuery("""
        SELECT coalesce(sum((line ->> 'quantity')::int), 0) AS committed
          FROM stock_holds, jsonb_array_elements(lines) AS line
         WHERE store_id = $1 AND state IN ('HELD', 'RESERVED') AND line ->> 'sku' = $2
        """).execute(Tuple.of(store, sku)).await().iterator().next();
    return row.getInteger("committed");
  }
}
