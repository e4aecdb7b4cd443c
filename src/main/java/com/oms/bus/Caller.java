package com.oms.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Who asked, as the edge authenticated it: the token's subject and roles. */
public record Caller(String subject, List<String> roles) {

  public static final String CUSTOMER = "customer";
  public static final String PARTNER = "partner";
  public static final String ADMIN = "admin";

  public static Caller system(String name) {
    return new Caller("system:" + name, List.of(ADMIN));
  }

  public boolean has(String role) {
    return roles.contains(role);
  }

  public boolean isAdmin() {
    return has(ADMIN);
  }

  /** How the caller appears in an order's history: {@code customer:c-1}, {@code admin:ops}. */
  public String actor() {
    if (subject.startsWith("system:")) {
      return subject;
    }
    String role = isAdmin() ? ADMIN : has(PARTNER) ? PARTNER : CUSTOMER;
    return role + ":" + subject;
  }

  public JsonObject toJson() {
    return new JsonObject().put("subject", subject).put("roles", new JsonArray(List.copyOf(roles)));
  }

  public static Caller fromJson(JsonObject json) {
    JsonArray roles = json.getJsonArray("roles", new JsonArray());
    return new Caller(json.getString("subject"), roles.stream().map(String::valueOf).toList());
  }
}
