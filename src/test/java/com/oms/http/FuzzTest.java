package com.oms.http;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.json.schema.JsonSchema;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.sqlclient.Row;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of malformed and boundary requests to every operation of the OpenAPI document, each sent as an
 * admin, a customer, a partner and with no token: no answer is a 5xx, every error is a problem document
 * without a stack trace, no mutating request is accepted, and nothing in the database changes.
 */
class FuzzTest extends IntegrationTest {

  private static final String[] TRICKY = {
    "x".repeat(300), "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%00", "%27%3B%20DROP%20TABLE%20orders%3B--", "%F0%9F%98%80",
    "-1", "0", "99999999999999999999999", "null", "%20", "a%2Fb", "%E2%80%AE"};

  private record Probe(HttpMethod method, String path, String contentType, Buffer body, String token, String label) {
  }

  @Test
  @Timeout(240)
  @DisplayName("generated malformed and boundary requests to every endpoint: no 5xx, problem responses, no state change")
  void fuzzEveryOperation(Vertx vertx) {
    String store = unique("store");
    String partner = unique("rider");
    String customerId = unique("cust");
    String customer = api.customerToken(customerId);
    api.store(store, 12.97, 77.59).await();
    api.stock(store, "a", 10, 1000).await();
    api.partner(partner, 12.971, 77.59).await();
    String orderId = expect(api.place(customer, cardOrder(store, "tok_visa", items("a", 1))), 201).await().getString("orderId");
    // the order's saga settles first, so that only the fuzz could move the fingerprint
    com.oms.testing.Poll.until(vertx, () -> api.order(orderId, customer),
      o -> o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED"), DEADLINE, "assignment").await();
    Map<String, String> real = Map.of("orderId", orderId, "storeId", store, "sku", "a", "partnerId", partner,
      "customerId", customerId, "provider", "upi", "notificationId", java.util.UUID.randomUUID().toString());
    String[] tokens = {api.adminToken(), customer, api.partnerToken(partner), null};

    OpenAPIContract contract = OpenAPIContract.from(vertx, HttpEdgeVerticle.CONTRACT).await();
    List<Probe> probes = new ArrayList<>();
    Random random = new Random(20261125);
    for (Operation operation : contract.operations()) {
      for (String token : tokens) {
        probes.addAll(probesFor(operation, real, token, random));
      }
    }
    String before = fingerprint();

    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    int parallel = 16;
    for (int from = 0; from < probes.size(); from += parallel) {
      List<Future<?>> batch = new ArrayList<>();
      for (Probe probe : probes.subList(from, Math.min(probes.size(), from + parallel))) {
        batch.add(send(probe).transform(ar -> {
          String problem = ar.failed() ? "no answer: " + ar.cause() : judge(probe, ar.result());
          if (problem != null) {
            failures.add(probe.method() + " " + probe.path() + " [" + probe.label() + "]: " + problem);
          }
          return Future.succeededFuture();
        }));
      }
      Future.join(batch).await();
    }

    assertThat(probes.size()).as("requests sent").isGreaterThan(2000);
    assertThat(failures).as("requests answered wrongly").isEmpty();
    assertThat(fingerprint()).as("nothing changed in the database").isEqualTo(before);
  }

  private List<Probe> probesFor(Operation operation, Map<String, String> real, String token, Random random) {
    List<Probe> probes = new ArrayList<>();
    MediaType json = operation.getRequestBody() == null ? null : operation.getRequestBody().getContent().get("application/json");
    String validPath = path(operation, name -> real.getOrDefault(name, "unknown-" + name));
    String query = queryFuzz(operation);
    if (json != null) {
      JsonArray required = required(json.getSchema());
      JsonObject wrongTypes = new JsonObject();
      required.forEach(name -> wrongTypes.put((String) name, new JsonArray().add(new JsonArray().add(new JsonArray()))));
      JsonObject massAssignment = wrongTypes.copy().put("status", "DELIVERED").put("orderId", real.get("orderId"))
        .put("customerId", "someone-else").put("total", new JsonObject().put("amount", 0).put("currency", "INR"));
      String hugeNumbers = wrongTypes.fieldNames().isEmpty() ? "{\"x\": 1" + "0".repeat(400) + "}"
        : "{" + String.join(",", wrongTypes.fieldNames().stream().map(n -> "\"" + n + "\": 1" + "0".repeat(400)).toList()) + "}";
      Map<String, String> bodies = new java.util.LinkedHashMap<>();
      bodies.put("malformed", "{\"a\": ");
      bodies.put("array", "[]");
      bodies.put("string", "\"text\"");
      bodies.put("null", "null");
      bodies.put("wrong types", wrongTypes.encode());
      bodies.put("mass assignment", massAssignment.encode());
      bodies.put("huge numbers", hugeNumbers);
      bodies.put("deep nesting", "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
      bodies.put("oversized", "{\"a\": \"" + "x".repeat(70_000) + "\"}");
      if (!required.isEmpty()) {
        bodies.put("empty object", "{}");
      }
      bodies.forEach((label, body) -> probes.add(new Probe(operation.getHttpMethod(), validPath, "application/json",
        Buffer.buffer(body), token, label)));
      probes.add(new Probe(operation.getHttpMethod(), validPath, "text/plain", Buffer.buffer("{}"), token, "wrong content type"));
    }
    boolean hasPathParameters = operation.getParameters().stream().anyMatch(p -> p.getIn() == Location.PATH);
    if (hasPathParameters) {
      List<String> values = new ArrayList<>(List.of(TRICKY));
      for (int i = 0; i < 10; i++) {
        values.add(randomSegment(random));
      }
      for (String value : values) {
        probes.add(new Probe(operation.getHttpMethod(), path(operation, name -> value), json == null ? null : "application/json",
          json == null ? null : Buffer.buffer("{}"), token, "path " + value.substring(0, Math.min(20, value.length()))));
      }
    }
    if (query != null) {
      for (String q : query.split("\\|")) {
        probes.add(new Probe(operation.getHttpMethod(), validPath + "?" + q, json == null ? null : "application/json",
          json == null ? null : Buffer.buffer("{}"), token, "query " + q));
      }
    }
    return probes;
  }

  private static String queryFuzz(Operation operation) {
    List<String> variants = new ArrayList<>();
    for (Parameter parameter : operation.getParameters()) {
      if (parameter.getIn() == Location.QUERY) {
        for (String value : new String[] {"-1", "abc", "1" + "0".repeat(40), "%00", "x".repeat(2000)}) {
          variants.add(parameter.getName() + "=" + value);
        }
      }
    }
    return variants.isEmpty() ? null : String.join("|", variants);
  }

  private static String path(Operation operation, java.util.function.Function<String, String> value) {
    String path = operation.getOpenAPIPath();
    for (Parameter parameter : operation.getParameters()) {
      if (parameter.getIn() == Location.PATH) {
        path = path.replace("{" + parameter.getName() + "}", value.apply(parameter.getName()));
      }
    }
    return path;
  }

  private static JsonArray required(JsonSchema schema) {
    Object required = schema == null ? null : schema.get("required");
    return required instanceof JsonArray array ? array : new JsonArray();
  }

  private static String randomSegment(Random random) {
    StringBuilder text = new StringBuilder();
    int length = 1 + random.nextInt(80);
    for (int i = 0; i < length; i++) {
      int c = random.nextInt(0x2FF) + 1;
      text.append((char) c);
    }
    return URLEncoder.encode(text.toString(), StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Future<HttpResponse<Buffer>> send(Probe probe) {
    HttpRequest<Buffer> request = api.client().request(probe.method(), probe.path());
    if (probe.token() != null) {
      request.putHeader("Authorization", "Bearer " + probe.token());
    }
    if (probe.contentType() != null) {
      request.putHeader("Content-Type", probe.contentType());
    }
    if (probe.path().contains("/webhooks/")) {
      request.putHeader("Idempotency-Key", "k".repeat(200));
    }
    return probe.body() == null ? request.send() : request.sendBuffer(probe.body());
  }

  /** Null when the answer is right; else what is wrong with it. */
  private static String judge(Probe probe, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String body = response.bodyAsString() == null ? "" : response.bodyAsString();
    if (status >= 500) {
      return status + " " + body.substring(0, Math.min(200, body.length()));
    }
    if (body.contains("Exception") || body.contains("\tat ")) {
      return "stack trace in the response";
    }
    if (status >= 400 && !String.valueOf(response.getHeader("Content-Type")).startsWith("application/problem+json")) {
      return status + " without a problem document: " + response.getHeader("Content-Type");
    }
    if (status < 400 && probe.method() != HttpMethod.GET) {
      return "accepted (" + status + ") a request that should have been refused";
    }
    return null;
  }

  /** Row counts and sums that any accepted change would move. */
  private String fingerprint() {
    Row row = app.app.pool().query("""
        SELECT (SELECT count(*) FROM orders) AS orders, (SELECT coalesce(sum(version), 0) FROM orders) AS versions,
               (SELECT count(*) FROM order_events) AS events, (SELECT count(*) FROM stores) AS stores,
               (SELECT count(*) FROM stock_items) AS items, (SELECT coalesce(sum(on_hand), 0) FROM stock_items) AS on_hand,
               (SELECT count(*) FROM partners) AS partners, (SELECT count(*) FROM payments) AS payments,
               (SELECT count(*) FROM stock_holds) AS holds, (SELECT count(*) FROM deliveries) AS deliveries,
               (SELECT count(*) FROM stock_adjustments) AS adjustments
        """).execute().await().iterator().next();
    return row.toJson().encode();
  }
}
