package com.oms.dev.bench;

import com.oms.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

/**
 * scripts/bench-expiry.sh: how long the expiry scanner takes to cancel and compensate a backlog of
 * expired orders (100,000 by default), each holding stock. Prints figures; it does not pass or fail.
 */
public final class ExpiryBacklogBenchmark {

  private ExpiryBacklogBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int backlog = Integer.parseInt(System.getenv().getOrDefault("BENCH_ORDERS", "100000"));
    java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
    // measure the expiry alone: the wait for a partner is not given up meanwhile
    env.put("OMS_DELIVERY_GIVE_UP_AFTER", "PT1000H");
    try (BenchServers servers = BenchServers.start(env)) {
      var bus = servers.vertx.eventBus();
      bus.request(Addresses.INVENTORY_PUT_STORE, new JsonObject().put("storeId", "expiry-store").put("name", "bench")
        .put("location", new JsonObject().put("lat", 12.97).put("lon", 77.59))).await();
      bus.request(Addresses.INVENTORY_PUT_STOCK, new JsonObject().put("storeId", "expiry-store").put("sku", "a")
        .put("quantity", 1_000_000).put("price", new JsonObject().put("amount", 100).put("currency", "INR"))).await();
      long inserting = System.nanoTime();
      // orders placed three days ago, paid, never delivered
      var orders = servers.app.pool().preparedQuery("""
          INSERT INTO orders (order_id, customer_id, store_id, status, version, currency, total_amount, items,
                              payment, payment_instrument, delivery, contact, created_at, updated_at)
          SELECT gen_random_uuid(), 'bench-' || n, 'expiry-store', 'INVENTORY_RESERVED', 4, 'INR', 100,
                 '[{"sku":"a","quantity":1,"unitAmount":100}]', '{"method":"CREDIT_CARD","status":"SUCCEEDED"}',
                 '{"token":"tok_visa"}', '{"address":"x","location":{"lat":1,"lon":1},"pickupLocation":{"lat":1,"lon":1}}',
                 '{}', now() - interval '3 days', now() - interval '3 days'
            FROM generate_series(1, $1) AS n
          RETURNING order_id
          """).execute(Tuple.of(backlog)).await();
      // their stock held and reserved through the inventory domain, as placement and payment do
      java.util.List<String> ids = new java.util.ArrayList<>();
      orders.forEach(row -> ids.add(row.getUUID("order_id").toString()));
      com.oms.support.Bounded.forEach(ids, 256, id -> {
        JsonObject command = new com.oms.bus.StockCommand(id, "expiry-store",
          java.util.List.of(new com.oms.bus.StockLine("a", 1))).toJson();
        return bus.request(Addresses.INVENTORY_HOLD, command).compose(v -> bus.request(Addresses.INVENTORY_COMMIT, command));
      }).await();
      System.out.printf("%nprepared %,d expired orders with their stock reserved in %.1f s%n", backlog,
        (System.nanoTime() - inserting) / 1e9);

      long start = System.nanoTime();
      // scans as the scanner runs them, until none is left to cancel and nothing is owed
      long open = backlog;
      while (open > 0) {
        bus.<JsonObject>request(Addresses.ORDER_EXPIRE_DUE, new JsonObject().put("batchSize", 500),
          new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(120_000)).await();
        open = servers.app.pool().query("""
            SELECT count(*) AS n FROM orders
             WHERE store_id = 'expiry-store' AND (status NOT IN ('CANCELLED', 'FAILED') OR compensation_pending)
            """).execute().await().iterator().next().getLong("n");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("cancelled and compensated (stock released) %,d orders in %.1f s: %.0f orders/s%n",
        backlog, seconds, backlog / seconds);
      System.out.printf("machine: %d cores; service, Postgres and Redis on the same machine%n",
        Runtime.getRuntime().availableProcessors());
    }
  }
}
