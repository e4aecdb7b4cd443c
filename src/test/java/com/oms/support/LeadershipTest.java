package com.oms.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class LeadershipTest {

  @Test
  @DisplayName("one holder per job leads and keeps leading; another leads only after it resigns; other jobs are independent")
  void oneLeaderPerJob(Vertx vertx) {
    Leadership first = new Leadership(vertx, "sweeper");
    Leadership second = new Leadership(vertx, "sweeper");
    Leadership otherJob = new Leadership(vertx, "reconciler");

    assertThat(first.lead().await()).isTrue();
    assertThat(second.lead().await()).isFalse();
    assertThat(first.lead().await()).as("the leader keeps its lead").isTrue();
    assertThat(otherJob.lead().await()).isTrue();

    first.resign();
    assertThat(second.lead().await()).as("the lead passes on once given up").isTrue();
    assertThat(first.lead().await()).isFalse();
  }
}
