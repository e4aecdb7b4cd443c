package com.oms.order;

import com.oms.support.GroupCommit;
import com.oms.support.SqlStatements;
import com.oms.support.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Postgres access of the order domain. Every write is a single statement, so each is atomic on its own. */
final class OrderStore {

  private final Pool pool;
  private final GroupCommit.Writes writes;
  private final Clock clock;
  private final SqlStatements sql = SqlStatements.load("sql/orders.sql");
  private final TransitionBatcher transitions;

  /** Created on the event loop of the verticle that uses it: transitions are batched there. */
  OrderStore(io.vertx.core.Vertx vertx, Pool pool, GroupCommit.Writes writes, Clock clock) {
    this.pool = pool;
    this.writes = writes;
    this.clock = clock;
    this.transitions = new TransitionBatcher(vertx, writes, sql.get("transition-batch"), this::now);
  }

  /** Thrown when the order moved between our read and our write (another step or instance won). */
  static final class StaleOrderException extends RuntimeException {
    StaleOrderException(UUID orderId) {
      super("order " + orderId + " changed concurrently", null, false, false);
    }
  }

  record NewOrder(UUID orderId, String customerId, String storeId, String currency, long totalAmount,
                  JsonArray items, JsonObject payment, JsonObject paymentInstrument, JsonObject delivery,
                  JsonObject contact, String idempotencyKey, String requestHash, String actor) {
  }

  record Page(List<Order> orders, Order last) {
  }

  /**
   * What an insert answers: the order recorded; or null when the customer's unpaid orders ({@code unpaid})
   * are at the cap; or null with {@code earlierOrderId}, the order the same keyed request placed before,
   * still alive, when nothing was written.
   */
  record Inserted(Order order, long unpaid, UUID earlierOrderId) {
  }

  /**
   * Records a new order (CREATED) unless its customer has {@code maxUnpaid} orders waiting for payment, and
   * with it the claim of its stock hold, lapsing after {@code holdFor}: Redis may be asked once this answers.
   * With an idempotency key, an order the same request placed within {@code keyLifetime} and still alive is
   * answered instead (its first answer may have been lost); nothing is written then.
   */
  Future<Inserted> insert(NewOrder order, int maxUnpaid, Duration holdFor, Duration keyLifetime) {
    OffsetDateTime at = now();
    return writes.execute(sql.get("insert-order"), insertParams(order, maxUnpaid, at, holdFor, keyLifetime)).map(rows -> {
      Row row = rows.iterator().next();
      if (row.getBoolean("already_placed")) {
        return new Inserted(null, 0, row.getUUID("order_id"));
      }
      Order inserted = row.getUUID("order_id") == null ? null : new Order(order.orderId(), order.customerId(),
        order.storeId(), OrderStatus.CREATED, 1, order.currency(), order.totalAmount(), order.items(), order.payment(),
        order.paymentInstrument(), order.delivery(), order.contact(), null, null, false, order.requestHash(), at, at);
      return new Inserted(inserted, row.getLong("unpaid"), null);
    });
  }

  /** The parameters of {@code insert-order}. */
  static Tuple insertParams(NewOrder order, int maxUnpaid, OffsetDateTime at, Duration holdFor, Duration keyLifetime) {
    JsonArray holdLines = new JsonArray(new ArrayList<>(order.items().size()));
    for (int i = 0; i < order.items().size(); i++) {
      JsonObject item = order.items().getJsonObject(i);
      holdLines.add(new JsonObject().put("sku", item.getString("sku")).put("quantity", item.getInteger("quantity")));
    }
    return Tuple.tuple()
      .addUUID(order.orderId())
      .addString(order.customerId())
      .addString(order.storeId())
      .addString(order.currency())
      .addLong(order.totalAmount())
      .addValue(order.items())
      .addValue(order.payment())
      .addValue(order.paymentInstrument())
      .addValue(order.delivery())
      .addValue(order.contact())
      .addString(order.idempotencyKey())
      .addString(order.requestHash())
      .addOffsetDateTime(at)
      .addString(order.actor())
      .addInteger(maxUnpaid)
      .addValue(holdLines)
      .addOffsetDateTime(at.plus(holdFor))
      .addOffsetDateTime(at.minus(keyLifetime));
  }

  Future<Order> find(UUID orderId) {
    return pool.preparedQuery(sql.get("find-order")).execute(Tuple.of(orderId)).map(OrderStore::singleOrNull);
  }

  /** Changes the delivery details (a rescheduled pickup) if the order is still at the version read. */
  Future<Order> updateDelivery(Order order, JsonObject delivery) {
    return writes.execute(sql.get("update-delivery"), Tuple.of(order.orderId(), order.version(), delivery))
      .map(rows -> {
        if (rows.size() == 0) {
          throw new StaleOrderException(order.orderId());
        }
        return single(rows);
      });
  }

  /** Writes a notice to the outbox once per {@code eventId}; answers whether this call wrote it. */
  Future<Boolean> notice(Order order, UUID eventId, String eventType, JsonObject details) {
    JsonObject payload = new JsonObject()
      .put("orderId", order.id())
      .put("customerId", order.customerId())
      .put("status", order.status().name())
      .put("partnerId", order.partnerId())
      .put("contact", order.contact())
      .put("total", new JsonObject().put("amount", order.totalAmount()).put("currency", order.currency()))
      .mergeIn(details);
    return writes.execute(sql.get("insert-notice"), Tuple.of(eventId, order.orderId(), eventType, payload, now()))
      .map(rows -> rows.size() > 0);
  }

  Future<Void> recordStep(Order order, String step, String outcome) {
    return writes.execute(sql.get("record-step"), Tuple.of(order.orderId(), step, outcome, now())).mapEmpty();
  }

  Future<JsonArray> steps(UUID orderId) {
    return pool.preparedQuery(sql.get("list-steps")).execute(Tuple.of(orderId)).map(rows -> {
      JsonArray steps = new JsonArray();
      rows.forEach(row -> steps.add(new JsonObject()
        .put("step", row.getString("step"))
        .put("outcome", row.getString("outcome"))
        .put("attempts", row.getInteger("attempts"))
        .put("at", Times.iso(row.getOffsetDateTime("done_at")))));
      return steps;
    });
  }

  /**
   * Orders on the road that last moved before {@code before}: the page after the order that last moved at
   * {@code afterUpdatedAt} with id {@code afterId}, or the first page when those are null.
   */
  Future<List<Order>> onTheRoad(OffsetDateTime before, OffsetDateTime afterUpdatedAt, UUID afterId, int limit) {
    Tuple params = Tuple.of(before,
      afterUpdatedAt == null ? Times.utc(java.time.Instant.EPOCH) : afterUpdatedAt,
      afterId == null ? new UUID(0, 0) : afterId,
      limit);
    return pool.preparedQuery(sql.get("on-the-road")).execute(params).map(rows -> {
      List<Order> orders = new ArrayList<>(rows.size());
      rows.forEach(row -> orders.add(Order.fromRow(row)));
      return orders;
    });
  }

  /** Shows the payment's progress (a next action for the customer) without moving the order. */
  Future<Void> updatePayment(Order order, JsonObject payment) {
    return writes.execute(sql.get("update-payment"), Tuple.of(order.orderId(), order.status().name(), payment))
      .mapEmpty();
  }

  /**
   * Applies {@code transition} if the order is still at the version we read; else StaleOrderException.
   * Concurrent transitions of different orders share one statement and commit.
   */
  Future<Order> transition(Order order, Transition transition) {
    if (transition.via() != null) {
      OrderStateMachine.check(order.status(), transition.via());
      OrderStateMachine.check(transition.via(), transition.to());
    } else {
      OrderStateMachine.check(order.status(), transition.to());
    }
    JsonObject notice = transition.notice() == null ? null : noticePayload(order, transition);
    return transitions.move(order, transition, UUID.randomUUID(), notice).map(row -> {
      if (row == null) {
        throw new StaleOrderException(order.orderId());
      }
      return order.after(row);
    });
  }

  private static JsonObject noticePayload(Order order, Transition transition) {
    return new JsonObject()
      .put("orderId", order.id())
      .put("customerId", order.customerId())
      .put("status", transition.to().name())
      .put("reason", transition.reason())
      .put("partnerId", transition.partnerId() != null ? transition.partnerId() : order.partnerId())
      .put("contact", order.contact())
      .put("total", new JsonObject().put("amount", order.totalAmount()).put("currency", order.currency()));
  }

  Future<JsonArray> events(UUID orderId) {
    return pool.preparedQuery(sql.get("list-events")).execute(Tuple.of(orderId)).map(rows -> {
      JsonArray events = new JsonArray();
      for (Row row : rows) {
        events.add(new JsonObject()
          .put("seq", row.getInteger("seq"))
          .put("from", row.getString("from_status"))
          .put("to", row.getString("to_status"))
          .put("reason", row.getString("reason"))
          .put("actor", row.getString("actor"))
          .put("at", Times.iso(row.getOffsetDateTime("occurred_at"))));
      }
      return events;
    });
  }

  /** One page, newest first, after the (createdAt, orderId) position of the previous page's last row. */
  Future<Page> list(String customerId, String status, OffsetDateTime afterCreatedAt, UUID afterOrderId, int limit) {
    Future<RowSet<Row>> rows = customerId == null
      ? pool.preparedQuery(sql.get("list-all")).execute(Tuple.of(afterCreatedAt, afterOrderId, status, limit + 1))
      : pool.preparedQuery(sql.get("list-by-customer"))
        .execute(Tuple.of(customerId, afterCreatedAt, afterOrderId, status, limit + 1));
    return rows.map(result -> {
      List<Order> orders = new ArrayList<>();
      for (Row row : result) {
        orders.add(Order.fromRow(row));
      }
      boolean more = orders.size() > limit;
      List<Order> page = more ? orders.subList(0, limit) : orders;
      return new Page(page, more ? page.get(page.size() - 1) : null);
    });
  }

  Future<List<UUID>> stalled(Set<OrderStatus> statuses, OffsetDateTime before, int limit) {
    String[] names = statuses.stream().map(Enum::name).toArray(String[]::new);
    return pool.preparedQuery(sql.get("stalled")).execute(Tuple.tuple().addArrayOfString(names).addOffsetDateTime(before).addInteger(limit)).map(OrderStore::ids);
  }

  Future<List<UUID>> compensationPending(OffsetDateTime before, int limit) {
    return pool.preparedQuery(sql.get("compensation-pending")).execute(Tuple.of(before, limit)).map(OrderStore::ids);
  }

  Future<Void> compensationDone(Order order, JsonObject paymentAfter) {
    return writes.execute(sql.get("compensation-done"), Tuple.of(order.orderId(), order.version(), paymentAfter))
      .mapEmpty();
  }

  record Expired(UUID orderId, String customerId, int version, String previous) {
  }

  Future<List<Expired>> expireDue(Set<OrderStatus> cancellable, OffsetDateTime cutOff, int batch, String reason,
                                  String actor) {
    String[] names = cancellable.stream().map(Enum::name).toArray(String[]::new);
    Tuple params = Tuple.tuple().addArrayOfString(names).addOffsetDateTime(cutOff).addInteger(batch)
      .addOffsetDateTime(now()).addString(reason).addString(actor);
    return pool.preparedQuery(sql.get("expire-due")).execute(params).map(rows -> {
      List<Expired> expired = new ArrayList<>();
      for (Row row : rows) {
        expired.add(new Expired(row.getUUID("order_id"), row.getString("customer_id"), row.getInteger("version"),
          row.getString("previous")));
      }
      return expired;
    });
  }

  Future<Map<String, Long>> countByStatus() {
    return pool.query(sql.get("count-by-status")).execute().map(rows -> {
      Map<String, Long> counts = new HashMap<>();
      for (Row row : rows) {
        counts.put(row.getString("status"), row.getLong("orders"));
      }
      return counts;
    });
  }

  OffsetDateTime now() {
    return Times.now(clock);
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> ids = new ArrayList<>(rows.size());
    rows.forEach(row -> ids.add(row.getUUID("order_id")));
    return ids;
  }

  private static Order single(RowSet<Row> rows) {
    return Order.fromRow(rows.iterator().next());
  }

  private static Order singleOrNull(RowSet<Row> rows) {
    return rows.size() == 0 ? null : Order.fromRow(rows.iterator().next());
  }
}
