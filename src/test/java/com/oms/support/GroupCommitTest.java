package com.oms.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.TestStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group commit against a real Postgres: what goes out together, what fails alone, where answers land. */
class GroupCommitTest {

  private static final String INSERT = "INSERT INTO items (name) VALUES ($1) RETURNING id, txid_current() AS tx";

  private Vertx vertx;
  private Pool pool;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
      .connectingTo(PgConnectOptions.fromUri(TestStack.get().freshDatabase()).setPipeliningLimit(256))
      .using(vertx).build();
    pool.query("CREATE TABLE items (id bigserial PRIMARY KEY, name text UNIQUE NOT NULL)").execute().await();
  }

  @AfterEach
  void stop() {
    pool.close().await();
    vertx.close().await();
  }

  /** The context each group commit was made on, which it takes as its own. */
  private final Map<GroupCommit, Context> contexts = new IdentityHashMap<>();

  /** A group commit made on an event loop of its own, with one group in flight at a time. */
  private GroupCommit onEventLoop(int maxStatements) {
    return onEventLoop(maxStatements, 1, 1);
  }

  private GroupCommit onEventLoop(int maxStatements, int maxInFlight, int overlapAfter) {
    Promise<GroupCommit> made = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> made.complete(new GroupCommit(vertx, pool, maxStatements, maxInFlight, overlapAfter,
      registry, "orders")));
    GroupCommit group = made.future().await();
    contexts.put(group, context);
    return group;
  }

  /** Submits every name in one go from the group commit's own event loop, so they queue behind each other. */
  private List<Future<RowSet<Row>>> submitTogether(GroupCommit group, String... names) {
    Promise<List<Future<RowSet<Row>>>> submitted = Promise.promise();
    groupContext(group).runOnContext(v -> {
      List<Future<RowSet<Row>>> answers = new ArrayList<>();
      for (String name : names) {
        answers.add(group.execute(INSERT, Tuple.of(name)));
      }
      submitted.complete(answers);
    });
    return submitted.future().await();
  }

  // not read from an answer's callback: an answer can arrive before the test thread registers one, which
  // then runs on the test thread, outside any context (it did once on a busy machine)
  private Context groupContext(GroupCommit group) {
    return contexts.get(group);
  }

  private static long tx(Future<RowSet<Row>> answer) {
    return answer.result().iterator().next().getLong("tx");
  }

  private static long id(Future<RowSet<Row>> answer) {
    return answer.result().iterator().next().getLong("id");
  }

  @Test
  @DisplayName("the first write goes alone at once; what arrives meanwhile is one transaction, in submission order")
  void groupsWhatArrivesMeanwhile() {
    GroupCommit group = onEventLoop(64);
    List<Future<RowSet<Row>>> answers = submitTogether(group, "a", "b", "c", "d", "e");
    Future.all(new ArrayList<Future<?>>(answers)).await();

    assertThat(tx(answers.get(0))).as("the first went alone").isNotEqualTo(tx(answers.get(1)));
    assertThat(answers.subList(1, 5)).extracting(GroupCommitTest::tx).as("the rest committed together").containsOnly(tx(answers.get(1)));
    assertThat(answers).extracting(GroupCommitTest::id).isSorted();
    assertThat(pool.query("SELECT count(*) AS n FROM items").execute().await().iterator().next().getLong("n"))
      .as("answered only once committed: every row is visible to another connection").isEqualTo(5);
  }

  @Test
  @DisplayName("a group holds at most maxStatements; the rest follows in the next group")
  void boundedGroups() {
    GroupCommit group = onEventLoop(2);
    List<Future<RowSet<Row>>> answers = submitTogether(group, "a", "b", "c", "d", "e");
    Future.all(new ArrayList<Future<?>>(answers)).await();

    assertThat(tx(answers.get(1))).isEqualTo(tx(answers.get(2)));
    assertThat(tx(answers.get(3))).isEqualTo(tx(answers.get(4))).isNotEqualTo(tx(answers.get(2)));
  }

  @Test
  @DisplayName("while a group is written, a second starts only once overlapAfter statements wait; fewer wait for the next")
  void overlapsOnlyABacklog() {
    GroupCommit group = onEventLoop(64, 2, 3);
    List<Future<RowSet<Row>>> answers = submitTogether(group, "a", "b", "c", "d", "e");
    Future.all(new ArrayList<Future<?>>(answers)).await();

    assertThat(tx(answers.get(0))).as("the first went alone").isNotEqualTo(tx(answers.get(1)));
    assertThat(answers.subList(1, 4)).extracting(GroupCommitTest::tx).as("three waiting: a second group at once")
      .containsOnly(tx(answers.get(1)));
    assertThat(tx(answers.get(4))).as("one waiting: it waited for a group to finish").isNotEqualTo(tx(answers.get(1)))
      .isNotEqualTo(tx(answers.get(0)));
    assertThat(answers).extracting(GroupCommitTest::id).isSorted();
  }

  @Test
  @DisplayName("a statement Postgres refuses fails alone: the others of its group are written and answered")
  void refusedStatementFailsAlone() {
    pool.query("INSERT INTO items (name) VALUES ('taken')").execute().await();
    GroupCommit group = onEventLoop(64);
    List<Future<RowSet<Row>>> answers = submitTogether(group, "first", "x", "taken", "y");
    Future.join(new ArrayList<Future<?>>(answers)).recover(failed -> Future.succeededFuture()).await();

    assertThat(answers.get(1).succeeded()).isTrue();
    assertThat(answers.get(3).succeeded()).isTrue();
    assertThat(answers.get(2).failed()).isTrue();
    assertThat(((PgException) answers.get(2).cause()).getSqlState()).isEqualTo("23505");
    assertThat(registry.counter("oms.db.group.rewritten", "lane", "orders", "sqlstate", "23505").count()).as("counted, by cause").isEqualTo(1);
    List<String> names = new ArrayList<>();
    pool.query("SELECT name FROM items ORDER BY id").execute().await().forEach(row -> names.add(row.getString("name")));
    assertThat(names).containsExactly("taken", "first", "x", "y");
  }

  @Test
  @DisplayName("answers arrive on the context of the verticle that asked, not on the group commit's")
  void answersOnCallersContext() {
    GroupCommit group = onEventLoop(64);
    Context caller = vertx.getOrCreateContext();
    Promise<Boolean> sameContext = Promise.promise();
    caller.runOnContext(v -> group.execute(INSERT, Tuple.of("from-caller"))
      .onComplete(ar -> sameContext.complete(ar.succeeded() && Vertx.currentContext() == caller)));
    assertThat(sameContext.future().await()).isTrue();
    assertThat(groupContext(group)).isNotSameAs(caller);
  }

  @Test
  @DisplayName("a statement another verticle on the same event loop sends when its answer arrives joins the next group, not the one after")
  void promptedStatementJoinsTheNextGroup() {
    Vertx oneLoop = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Pool onePool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
      .connectingTo(PgConnectOptions.fromUri(TestStack.get().freshDatabase())).using(oneLoop).build();
    try {
      Promise<GroupCommit> made = Promise.promise();
      Context groupContext = oneLoop.getOrCreateContext();
      groupContext.runOnContext(v -> made.complete(new GroupCommit(oneLoop, onePool, 64, 1, 1, new SimpleMeterRegistry(), "orders")));
      GroupCommit group = made.future().await();
      Context caller = oneLoop.getOrCreateContext();
      assertThat(caller).as("a context of its own, on the one event loop").isNotSameAs(groupContext);

      String tx = "SELECT txid_current() AS tx";
      Promise<List<Future<RowSet<Row>>>> submitted = Promise.promise();
      caller.runOnContext(v -> {
        Future<RowSet<Row>> slow = group.execute("SELECT pg_sleep(0.2)", Tuple.tuple());
        Future<RowSet<Row>> waiting = group.execute(tx, Tuple.tuple());
        Future<RowSet<Row>> waitingToo = group.execute(tx, Tuple.tuple());
        // what a batcher does: its next statement goes as soon as the previous one is answered
        Future<RowSet<Row>> prompted = slow.compose(answer -> group.execute(tx, Tuple.tuple()));
        submitted.complete(List.of(waiting, waitingToo, prompted));
      });
      List<Future<RowSet<Row>>> answers = submitted.future().await();
      Future.all(new ArrayList<Future<?>>(answers)).await();

      assertThat(tx(answers.get(1))).as("the two waiting went together").isEqualTo(tx(answers.get(0)));
      assertThat(tx(answers.get(2))).as("the prompted one joined them").isEqualTo(tx(answers.get(0)));
    } finally {
      onePool.close().await();
      oneLoop.close().await();
    }
  }
}
