package com.oms.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Reads conf/application.yaml (or the file named by OMS_CONFIG) and lays environment variables over it:
 * every leaf {@code a.bField} can be set with {@code OMS_A_B_FIELD}, a list as comma-separated items. A few
 * short names are kept for the settings people set most.
 */
public final class ConfigLoader {

  private static final Map<String, String> SHORT_NAMES = Map.of(
    "OMS_PG_URL", "postgres.url",
    "OMS_REDIS_URL", "redis.url",
    "OMS_JWT_SECRET", "auth.jwtSecret",
    "OMS_DEV_DIR", "dev.dataDir");

  private ConfigLoader() {
  }

  public static Future<JsonObject> load(Vertx vertx) {
    return load(vertx, System.getenv());
  }

  public static Future<JsonObject> load(Vertx vertx, Map<String, String> env) {
    String path = env.getOrDefault("OMS_CONFIG", "conf/application.yaml");
    ConfigStoreOptions yaml = new ConfigStoreOptions()
      .setType("file")
      .setFormat("yaml")
      .setOptional(true)
      .setConfig(new JsonObject().put("path", path));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
      .setIncludeDefaultStores(false)
      .setScanPeriod(-1)
      .addStore(yaml));
    return retriever.getConfig()
      .map(json -> applyEnvironment(json, env))
      .eventually(retriever::close);
  }

  public static JsonObject applyEnvironment(JsonObject config, Map<String, String> env) {
    JsonObject result = config.copy();
    overlay(result, "OMS", env);
    SHORT_NAMES.forEach((name, path) -> {
      String value = env.get(name);
      if (value != null) {
        String[] parts = path.split("\\.");
        JsonObject section = result.getJsonObject(parts[0]);
        if (section == null) {
          section = new JsonObject();
          result.put(parts[0], section);
        }
        section.put(parts[1], value);
      }
    });
    return result;
  }

  private static void overlay(JsonObject node, String prefix, Map<String, String> env) {
    for (String key : node.fieldNames().toArray(String[]::new)) {
      String name = prefix + "_" + upperSnake(key);
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        overlay(child, name, env);
      } else if (env.containsKey(name)) {
        node.put(key, coerce(env.get(name), value));
      }
    }
  }

  private static Object coerce(String text, Object current) {
    if (current instanceof Integer) {
      return Integer.parseInt(text.trim());
    }
    if (current instanceof Long) {
      return Long.parseLong(text.trim());
    }
    if (current instanceof Boolean) {
      return Boolean.parseBoolean(text.trim());
    }
    if (current instanceof Double) {
      return Double.parseDouble(text.trim());
    }
    if (current instanceof JsonArray) {
      return commaList(text);
    }
    return text;
  }

  /** {@code "EMAIL, PUSH"} → {@code ["EMAIL", "PUSH"]}: how a list is written where a list cannot be. */
  static JsonArray commaList(String text) {
    JsonArray list = new JsonArray();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        list.add(item.trim());
      }
    }
    return list;
  }

  /** {@code expireAfter} → {@code EXPIRE_AFTER}; a name in capitals already ({@code PARTNER_ASSIGNED}) stays as it is. */
  static String upperSnake(String camel) {
    StringBuilder out = new StringBuilder();
    char previous = 0;
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c) && (Character.isLowerCase(previous) || Character.isDigit(previous))) {
        out.append('_');
      }
      out.append(Character.toUpperCase(c));
      previous = c;
    }
    return out.toString();
  }
}
