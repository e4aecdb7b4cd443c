package com.oms.order;

import static com.oms.order.OrderStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OrderStateMachineTest {

  /** The expected table, written out independently of the implementation. */
  private static final Map<OrderStatus, Set<OrderStatus>> EXPECTED = Map.of(
    CREATED, EnumSet.of(PAYMENT_PENDING, FAILED, CANCELLED),
    PAYMENT_PENDING, EnumSet.of(PAYMENT_SUCCESS, FAILED, CANCELLED),
    PAYMENT_SUCCESS, EnumSet.of(INVENTORY_RESERVED, FAILED, CANCELLED),
    INVENTORY_RESERVED, EnumSet.of(DELIVERY_PARTNER_ASSIGNED, FAILED, CANCELLED),
    DELIVERY_PARTNER_ASSIGNED, EnumSet.of(PICKED_UP, INVENTORY_RESERVED, FAILED, CANCELLED),
    PICKED_UP, EnumSet.of(DELIVERED, FAILED, CANCELLED),
    DELIVERED, EnumSet.noneOf(OrderStatus.class),
    CANCELLED, EnumSet.noneOf(OrderStatus.class),
    FAILED, EnumSet.noneOf(OrderStatus.class));

  static Stream<Arguments> everyPair() {
    List<Arguments> pairs = new ArrayList<>();
    for (OrderStatus from : OrderStatus.values()) {
      for (OrderStatus to : OrderStatus.values()) {
        pairs.add(Arguments.of(from, to, EXPECTED.get(from).contains(to)));
      }
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0} -> {1} allowed: {2}")
  @MethodSource("everyPair")
  @DisplayName("every one of the 81 (from, to) pairs is allowed or refused exactly as the table says")
  void everyPairIsDecided(OrderStatus from, OrderStatus to, boolean allowed) {
    assertThat(OrderStateMachine.canMove(from, to)).isEqualTo(allowed);
    if (allowed) {
      OrderStateMachine.check(from, to);
    } else {
      assertThatThrownBy(() -> OrderStateMachine.check(from, to))
        .isInstanceOf(OrderStateMachine.IllegalTransitionException.class)
        .hasMessageContaining(from.name()).hasMessageContaining(to.name());
    }
  }

  @Test
  @DisplayName("the terminal states are exactly those with no way out, and nothing returns to CREATED")
  void terminalStates() {
    for (OrderStatus status : OrderStatus.values()) {
      assertThat(status.isTerminal()).isEqualTo(OrderStateMachine.next(status).isEmpty());
      assertThat(OrderStateMachine.canMove(status, CREATED)).isFalse();
    }
    assertThat(EnumSet.allOf(OrderStatus.class).stream().filter(OrderStatus::isTerminal))
      .containsExactlyInAnyOrder(DELIVERED, CANCELLED, FAILED);
  }

  @Test
  @DisplayName("the expiry scanner may cancel every in-flight status and no finished one")
  void cancellableFrom() {
    assertThat(OrderStateMachine.cancellableFrom()).containsExactlyInAnyOrder(
      CREATED, PAYMENT_PENDING, PAYMENT_SUCCESS, INVENTORY_RESERVED, DELIVERY_PARTNER_ASSIGNED, PICKED_UP);
  }

  @Test
  @DisplayName("the published table lists every state and exactly the allowed transitions")
  void describe() {
    JsonObject table = OrderStateMachine.describe();
    assertThat(table.getJsonArray("states")).hasSize(9);
    assertThat(table.getString("initial")).isEqualTo("CREATED");
    assertThat(table.getJsonArray("terminal").getList()).containsExactlyInAnyOrder("DELIVERED", "CANCELLED", "FAILED");
    table.getJsonArray("transitions").forEach(entry -> {
      JsonObject transition = (JsonObject) entry;
      OrderStatus from = OrderStatus.valueOf(transition.getString("from"));
      List<OrderStatus> to = transition.getJsonArray("to").stream().map(s -> OrderStatus.valueOf((String) s)).toList();
      assertThat(to).containsExactlyInAnyOrderElementsOf(EXPECTED.get(from));
    });
  }
}
