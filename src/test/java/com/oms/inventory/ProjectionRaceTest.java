package com.oms.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Addresses;
import com.oms.bus.BusMessage;
import com.oms.bus.StockCommand;
import com.oms.bus.StockLine;
import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An operation caught between Redis and Postgres while the projection is reloaded or verified. The
 * ledger's write is held back with a row lock taken in a transaction of the test's own, so the moment in
 * between lasts as long as the test needs.
 */
class ProjectionRaceTest extends IntegrationTest {

  private String store;

  private StockCommand order(int a, int b) {
    return new StockCommand(UUID.randomUUID().toString(), store, List.of(new StockLine("a", a), new StockLine("b", b)));
  }

  private Future<JsonObject> send(String address, StockCommand command) {
    return app.vertx.eventBus().request(address, command).map(m -> BusMessage.asJson(m.body()));
  }

  private void newStore() {
    store = unique("store");
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 100).await();
    api.stock(store, "b", 10, 100).await();
  }

  private Future<String> redisState(StockCommand command) {
    String key = new InventoryKeys(app.config.redis().keyPrefix()).hold(store, command.orderId());
    return app.app.redis().send(Request.cmd(Command.HGET).arg(key).arg("state"))
      .map(reply -> reply == null ? "MISSING" : reply.toString());
  }

  /** A transaction holding the ledger row of the order: the service's write of it waits until it ends. */
  private record RowLock(SqlConnection connection, Transaction transaction) {
    void release() {
      transaction.rollback().eventually(connection::close).await();
    }

    void commit() {
      transaction.commit().eventually(connection::close).await();
    }
  }

  /** {@code sql} run in a transaction of the test's own, left open: the rows it wrote or locked stay locked. */
  private RowLock holding(String sql, Tuple params) {
    SqlConnection connection = app.app.pool().getConnection().await();
    Transaction transaction = connection.begin().await();
    assertThat(connection.preparedQuery(sql).execute(params).await().rowCount()).as(sql).isOne();
    return new RowLock(connection, transaction);
  }

  /** A ledger row of the order in {@code state}, inserted and not yet committed: invisible, and locked. */
  private RowLock insertLedgerRow(StockCommand command, String state) {
    return holding("INSERT INTO stock_holds (order_id, store_id, lines, state, created_at, updated_at)"
      + " VALUES ($1, $2, '[]', $3, now(), now())", Tuple.of(UUID.fromString(command.orderId()), command.storeId(), state));
  }

  private RowLock lockLedgerRow(StockCommand command) {
    return holding("SELECT 1 FROM stock_holds WHERE order_id = $1 FOR UPDATE", Tuple.of(UUID.fromString(command.orderId())));
  }

  /** Until the service's ledger write of a release waits on the row lock the test holds. */
  private void awaitReleaseWaitingOnTheRow() {
    Poll.until(app.vertx, () -> app.app.pool().query("SELECT count(*) AS n FROM pg_stat_activity"
        + " WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO stock_holds%RELEASED%'").execute()
      .map(rows -> rows.iterator().next().getLong("n")), n -> n > 0, DEADLINE, "the release to wait on the row").await();
  }

  private int reconcile() {
    return app.vertx.eventBus().<JsonObject>request(Addresses.INVENTORY_RECONCILE, new JsonObject()).await().body()
      .getInteger("corrected");
  }

  private StockCommand pickedUp(int a, int b) {
    StockCommand command = order(a, b);
    send(Addresses.INVENTORY_HOLD, command).await();
    send(Addresses.INVENTORY_COMMIT, command).await();
    send(Addresses.INVENTORY_DEDUCT, command).await();
    return command;
  }

  /** Redis loses everything and is loaded from Postgres, which brings back open holds only. */
  private void lostAndReloaded() {
    app.app.redis().send(Request.cmd(Command.FLUSHALL)).await();
    reconcile();
  }

  private void assertRedisEqualsPostgres() {
    for (String sku : List.of("a", "b")) {
      assertThat(StockFigures.inRedis(app, store, sku).await()).as(sku)
        .isEqualTo(StockFigures.inPostgres(app, store, sku).await());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"COMMIT", "RELEASE", "DEDUCT"})
  @DisplayName("Redis applied the change, then lost everything and was loaded again before Postgres recorded it: the change still reaches Redis")
  void changeRecordedAfterAReload(String operation) {
    newStore();
    StockCommand command = order(2, 3);
    send(Addresses.INVENTORY_HOLD, command).await();
    if (operation.equals("DEDUCT")) {
      send(Addresses.INVENTORY_COMMIT, command).await();
    }
    String address = switch (operation) {
      case "COMMIT" -> Addresses.INVENTORY_COMMIT;
      case "RELEASE" -> Addresses.INVENTORY_RELEASE;
      default -> Addresses.INVENTORY_DEDUCT;
    };
    String applied = switch (operation) {
      case "COMMIT" -> "RESERVED";
      case "RELEASE" -> "RELEASED";
      default -> "DEDUCTED";
    };

    RowLock lock = lockLedgerRow(command);
    Future<JsonObject> reply = send(address, command);
    Poll.until(app.vertx, () -> redisState(command), applied::equals, DEADLINE, "Redis to apply " + operation).await();
    app.app.redis().send(Request.cmd(Command.FLUSHALL)).await();
    reconcile();
    assertThat(redisState(command).await()).as("loaded from Postgres as it was before the change")
      .isIn("PENDING", "RESERVED");
    lock.release();

    assertThat(reply.await().getString("state")).isEqualTo(applied);
    assertThat(redisState(command).await()).isEqualTo(applied);
    assertRedisEqualsPostgres();
  }

  @Test
  @DisplayName("a pickup reported again after Redis lost its data and was loaded again finds its deduction done (the load brings back open holds only)")
  void deductionRepeatedAfterAReload() {
    newStore();
    StockCommand picked = pickedUp(2, 3);
    StockCommand cancelled = order(1, 1);
    send(Addresses.INVENTORY_HOLD, cancelled).await();
    send(Addresses.INVENTORY_RELEASE, cancelled).await();

    lostAndReloaded();

    assertThat(send(Addresses.INVENTORY_DEDUCT, picked).await().getString("state")).isEqualTo("DEDUCTED");
    assertThat(send(Addresses.INVENTORY_COMMIT, picked).await().getString("state")).isEqualTo("DEDUCTED");
    assertThat(send(Addresses.INVENTORY_COMMIT, cancelled).await().getString("state")).isEqualTo("RELEASED");
    assertThat(StockFigures.inRedis(app, store, "a").await()).isEqualTo(new StockFigures(8, 0, 0));
    assertRedisEqualsPostgres();
  }

  @Test
  @DisplayName("a release whose ledger row another release inserts meanwhile (after the statement's snapshot) answers RELEASED")
  void releaseRacingAnotherRelease() {
    newStore();
    StockCommand never = order(1, 1);
    RowLock otherRelease = insertLedgerRow(never, "RELEASED");

    Future<JsonObject> reply = send(Addresses.INVENTORY_RELEASE, never);
    awaitReleaseWaitingOnTheRow();
    otherRelease.commit();

    assertThat(reply.await().getString("state")).isEqualTo("RELEASED");
    assertThat(redisState(never).await()).isEqualTo("RELEASED");
  }

  @Test
  @DisplayName("a release whose ledger write waits on another release of the same reservation answers RELEASED, and the stock comes back once")
  void releaseWaitingOnAnotherRelease() {
    newStore();
    StockCommand reserved = order(1, 1);
    send(Addresses.INVENTORY_HOLD, reserved).await();
    send(Addresses.INVENTORY_COMMIT, reserved).await();
    // the other release's ledger write, not yet committed (two members, or the expiry and the sweeper)
    RowLock otherRelease = holding("UPDATE stock_holds SET state = 'RELEASED', updated_at = now() WHERE order_id = $1",
      Tuple.of(UUID.fromString(reserved.orderId())));

    Future<JsonObject> reply = send(Addresses.INVENTORY_RELEASE, reserved);
    awaitReleaseWaitingOnTheRow();
    otherRelease.commit();

    // the statement's own snapshot still has the row RESERVED: that is not the ledger's state
    assertThat(reply.await().getString("state")).isEqualTo("RELEASED");
    assertThat(redisState(reserved).await()).isEqualTo("RELEASED");
    assertThat(send(Addresses.INVENTORY_RELEASE, reserved).await().getString("state")).as("a repeat").isEqualTo("RELEASED");
    assertThat(StockFigures.inRedis(app, store, "a").await()).isEqualTo(new StockFigures(10, 0, 0));
    assertRedisEqualsPostgres();
  }

  @Test
  @DisplayName("a released hold record takes only DEDUCTED from the ledger, never an open state that would count its stock again")
  void markClosedTakesOnlyAClosedState() {
    newStore();
    StockCommand released = order(1, 1);
    send(Addresses.INVENTORY_HOLD, released).await();
    send(Addresses.INVENTORY_RELEASE, released).await();
    InventoryScripts scripts = new InventoryScripts(app.vertx, app.app.redis());
    List<String> record = List.of(new InventoryKeys(app.config.redis().keyPrefix()).hold(store, released.orderId()));

    assertThat(scripts.run(InventoryScripts.Script.MARK_CLOSED, record, List.of("RESERVED")).await().toInteger()).isZero();
    assertThat(redisState(released).await()).isEqualTo("RELEASED");
    assertThat(scripts.run(InventoryScripts.Script.MARK_CLOSED, record, List.of("DEDUCTED")).await().toInteger()).isOne();
    assertThat(redisState(released).await()).isEqualTo("DEDUCTED");
  }

  @Test
  @DisplayName("a release of an order picked up before Redis lost its data answers DEDUCTED, and so do repeats after it")
  void releaseOfADeductedHoldAfterAReload() {
    newStore();
    StockCommand picked = pickedUp(2, 3);

    lostAndReloaded();

    assertThat(send(Addresses.INVENTORY_RELEASE, picked).await().getString("state")).isEqualTo("DEDUCTED");
    assertThat(redisState(picked).await()).isEqualTo("DEDUCTED");
    assertThat(send(Addresses.INVENTORY_RELEASE, picked).await().getString("state")).isEqualTo("DEDUCTED");
    assertThat(send(Addresses.INVENTORY_DEDUCT, picked).await().getString("state")).isEqualTo("DEDUCTED");
    assertThat(StockFigures.inRedis(app, store, "a").await()).isEqualTo(new StockFigures(8, 0, 0));
    assertRedisEqualsPostgres();
  }

  @Test
  @DisplayName("verification leaves alone a claim Postgres has and Redis was not yet asked about")
  void claimNotYetInRedisIsNotCorrected() {
    newStore();
    StockCommand command = order(2, 3);
    // what placement commits with the order before it asks Redis
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    JsonArray lines = new JsonArray().add(new JsonObject().put("sku", "a").put("quantity", 2))
      .add(new JsonObject().put("sku", "b").put("quantity", 3));
    app.app.pool().preparedQuery("""
        INSERT INTO stock_holds (order_id, store_id, lines, state, expires_at, created_at, updated_at)
        VALUES ($1, $2, $3, 'HELD', $4, $5, $5)
        """).execute(Tuple.of(UUID.fromString(command.orderId()), store, lines, now.plusMinutes(15), now)).await();

    assertThat(reconcile()).as("figures corrected").isZero();
    send(Addresses.INVENTORY_HOLD_CLAIMED, command).await();

    assertThat(StockFigures.inRedis(app, store, "a").await()).isEqualTo(new StockFigures(10, 2, 0));
    assertRedisEqualsPostgres();
  }

  @Test
  @DisplayName("verification leaves alone a commit Redis applied and Postgres has not recorded yet")
  void commitNotYetInPostgresIsNotCorrected() {
    newStore();
    StockCommand command = order(2, 3);
    send(Addresses.INVENTORY_HOLD, command).await();
    RowLock lock = lockLedgerRow(command);
    Future<JsonObject> reply = send(Addresses.INVENTORY_COMMIT, command);
    Poll.until(app.vertx, () -> redisState(command), "RESERVED"::equals, DEADLINE, "Redis to commit").await();

    int corrected = reconcile();
    lock.release();
    reply.await();

    assertThat(corrected).as("figures corrected").isZero();
    assertThat(StockFigures.inRedis(app, store, "a").await()).isEqualTo(new StockFigures(10, 0, 2));
    assertRedisEqualsPostgres();
  }

  @Test
  @DisplayName("a figure changed behind the service's back is still corrected while holds are open")
  void driftBesideOpenHoldsIsCorrected() {
    newStore();
    StockCommand command = order(2, 3);
    send(Addresses.INVENTORY_HOLD, command).await();
    String key = new InventoryKeys(app.config.redis().keyPrefix()).stock(store, "b");
    Response set = app.app.redis().send(Request.cmd(Command.HSET).arg(key).arg("reserved").arg("4")).await();
    assertThat(set).isNotNull();

    assertThat(reconcile()).isEqualTo(1);
    assertRedisEqualsPostgres();
  }
}
