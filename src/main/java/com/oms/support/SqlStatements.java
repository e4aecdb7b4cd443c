package com.oms.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The statements of one SQL resource file, each introduced by a {@code -- name: some-name} line, so that
 * queries are read as SQL in one place and looked up by name.
 */
public final class SqlStatements {

  private final String resource;
  private final Map<String, String> byName;

  private SqlStatements(String resource, Map<String, String> byName) {
    this.resource = resource;
    this.byName = byName;
  }

  public static SqlStatements load(String resource) {
    try (InputStream in = SqlStatements.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing SQL resource " + resource);
      }
      return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SqlStatements parse(String resource, String text) {
    Map<String, String> byName = new HashMap<>();
    String name = null;
    StringBuilder body = new StringBuilder();
    for (String line : text.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("-- name:")) {
        if (name != null) {
          byName.put(name, body.toString().trim());
        }
        name = trimmed.substring("-- name:".length()).trim();
        body.setLength(0);
      } else if (name != null && !trimmed.startsWith("--")) {
        body.append(line).append('\n');
      }
    }
    if (name != null) {
      byName.put(name, body.toString().trim());
    }
    return new SqlStatements(resource, byName);
  }

  public String get(String name) {
    String sql = byName.get(name);
    if (sql == null) {
      throw new IllegalArgumentException("no statement '" + name + "' in " + resource);
    }
    return sql;
  }
}
