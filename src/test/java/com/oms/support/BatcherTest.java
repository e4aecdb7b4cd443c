package com.oms.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group commit's promises, with a writer that holds each statement until the test lets it finish. */
class BatcherTest {

  private Vertx vertx;
  /** Every statement written: its items, and the promise that finishes it. */
  private final List<List<String>> written = new CopyOnWriteArrayList<>();
  private final List<Promise<Void>> inFlight = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private Batcher.Writer<String, String> heldWriter() {
    return items -> {
      written.add(List.copyOf(items));
      Promise<Void> done = Promise.promise();
      inFlight.add(done);
      return done.future().map(v -> {
        if (items.contains("bad")) {
          throw new IllegalStateException("constraint broken by bad");
        }
        return items.stream().map(item -> "wrote " + item).toList();
      });
    };
  }

  private Batcher<String, String> onEventLoop(int maxBatch, int maxConcurrent, boolean keyed) {
    Promise<Batcher<String, String>> made = Promise.promise();
    vertx.runOnContext(v -> made.complete(new Batcher<>(vertx, maxBatch, maxConcurrent,
      keyed ? item -> item.substring(0, 1) : null, heldWriter())));
    return made.future().await();
  }

  private List<Future<String>> submitAll(Batcher<String, String> batcher, String... items) {
    List<Future<String>> answers = new ArrayList<>();
    for (String item : items) {
      answers.add(batcher.submit(item)); // from the test thread: they hop onto the batcher's event loop
    }
    return answers;
  }

  /** Finishes the statements in flight until every answer is in. */
  private void finishAll(List<Future<String>> answers) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (answers.stream().anyMatch(answer -> !answer.isComplete())) {
      assertThat(System.nanoTime()).as("answers within 5 s").isLessThan(deadline);
      for (Promise<Void> statement : inFlight) {
        vertx.runOnContext(v -> statement.tryComplete());
      }
      vertx.timer(5).await();
    }
  }

  @Test
  @DisplayName("alone at once under light load; what arrives meanwhile goes out together, every item answered")
  void groupsWhatArrivesMeanwhile() {
    Batcher<String, String> batcher = onEventLoop(100, 1, false);
    List<Future<String>> first = submitAll(batcher, "a1");
    awaitStatements(1);
    List<Future<String>> meanwhile = submitAll(batcher, "b1", "c1", "d1", "e1");
    finishAll(first);
    finishAll(meanwhile);

    assertThat(written).containsExactly(List.of("a1"), List.of("b1", "c1", "d1", "e1"));
    assertThat(meanwhile).extracting(Future::result).containsExactly("wrote b1", "wrote c1", "wrote d1", "wrote e1");
  }

  @Test
  @DisplayName("items of one key are never in one statement, and apply in the order submitted")
  void oneKeyInOrder() {
    Batcher<String, String> batcher = onEventLoop(100, 4, true);
    List<Future<String>> answers = submitAll(batcher, "x1", "y1", "x2", "x3", "y2");
    finishAll(answers);

    List<String> order = written.stream().flatMap(List::stream).toList();
    for (List<String> statement : written) {
      assertThat(statement.stream().map(item -> item.charAt(0)).distinct().count()).isEqualTo(statement.size());
    }
    assertThat(order.stream().filter(item -> item.startsWith("x")).toList()).containsExactly("x1", "x2", "x3");
    assertThat(order.stream().filter(item -> item.startsWith("y")).toList()).containsExactly("y1", "y2");
    assertThat(answers).allMatch(Future::succeeded);
  }

  @Test
  @DisplayName("a statement broken by one item is written again item by item: only that item fails")
  void badItemFailsAlone() {
    Batcher<String, String> batcher = onEventLoop(100, 1, false);
    List<Future<String>> first = submitAll(batcher, "a1");
    awaitStatements(1);
    List<Future<String>> batch = submitAll(batcher, "b1", "bad", "c1");
    finishAll(first);
    finishAll(batch);

    assertThat(written).contains(List.of("b1", "bad", "c1"), List.of("b1"), List.of("bad"), List.of("c1"));
    assertThat(batch.get(0).result()).isEqualTo("wrote b1");
    assertThat(batch.get(1).failed()).isTrue();
    assertThat(batch.get(1).cause()).hasMessageContaining("constraint broken by bad");
    assertThat(batch.get(2).result()).isEqualTo("wrote c1");
  }

  @Test
  @DisplayName("no more statements in flight than allowed, and no more items in one than the maximum")
  void bounded() {
    Batcher<String, String> batcher = onEventLoop(3, 2, false);
    List<Future<String>> answers = submitAll(batcher, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    awaitStatements(2);
    assertThat(written).hasSize(2); // the rest wait for a statement to finish
    finishAll(answers);

    assertThat(written).allMatch(statement -> statement.size() <= 3);
    assertThat(written.stream().mapToInt(List::size).sum()).isEqualTo(10);
    assertThat(answers).allMatch(Future::succeeded);
  }

  private void awaitStatements(int count) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (written.size() < count) {
      assertThat(System.nanoTime()).as("%d statements within 5 s", count).isLessThan(deadline);
      vertx.timer(5).await();
    }
  }
}
