package com.oms.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {

  @Test
  @DisplayName("statements are split at '-- name:' lines and comments inside them are dropped")
  void parses() {
    SqlStatements sql = SqlStatements.parse("test", """
      -- file comment
      -- name: one
      -- what it does
      SELECT 1
      -- name: two
      SELECT 2
        FROM x
      """);
    assertThat(sql.get("one")).isEqualTo("SELECT 1");
    assertThat(sql.get("two")).isEqualTo("SELECT 2\n  FROM x");
    assertThatThrownBy(() -> sql.get("three")).hasMessageContaining("three");
  }

  @Test
  @DisplayName("every SQL resource of the service loads")
  void resourcesLoad() {
    for (String file : new String[] {"orders", "inventory", "payments", "deliveries", "notifications"}) {
      assertThat(SqlStatements.load("sql/" + file + ".sql")).isNotNull();
    }
  }
}
