package com.oms.inventory;

import com.oms.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** One SKU's figures as Postgres has them and as Redis has them, read straight from each store. */
public record StockFigures(long onHand, long held, long reserved) {

  public static Future<StockFigures> inPostgres(TestApp app, String store, String sku) {
    return app.app.pool().preparedQuery("""
        SELECT i.on_hand,
               coalesce((SELECT sum((l ->> 'quantity')::int) FROM stock_holds h, jsonb_array_elements(h.lines) l
                          WHERE h.store_id = i.store_id AND h.state = 'HELD' AND l ->> 'sku' = i.sku), 0) AS held,
               coalesce((SELECT sum((l ->> 'quantity')::int) FROM stock_holds h, jsonb_array_elements(h.lines) l
                          WHERE h.store_id = i.store_id AND h.state = 'RESERVED' AND l ->> 'sku' = i.sku), 0) AS reserved
          FROM stock_items i WHERE i.store_id = $1 AND i.sku = $2
        """).execute(Tuple.of(store, sku)).map(rows -> {
      Row row = rows.iterator().next();
      return new StockFigures(row.getLong("on_hand"), row.getLong("held"), row.getLong("reserved"));
    });
  }

  public static Future<StockFigures> inRedis(TestApp app, String store, String sku) {
    String key = app.config.redis().keyPrefix() + ":inventory:v1:{" + store + "}:stock:" + sku;
    return app.app.redis().send(Request.cmd(Command.HMGET).arg(key).arg("onHand").arg("held").arg("reserved"))
      .map(r -> new StockFigures(value(r.get(0)), value(r.get(1)), value(r.get(2))));
  }

  private static long value(Response response) {
    return response == null ? -1 : response.toLong();
  }

  long available() {
    return onHand - held - reserved;
  }
}
