package com.oms.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.http.SchemaDecision.Verdict;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The compiled decision against the library it stands in for, on the real contract: every body and
 * parameter schema, thousands of instances generated from each schema (mostly well-formed, with wrong
 * values, types, missing and unknown fields mixed in). A VALID must be one the library accepts, an
 * INVALID one it refuses; and valid requests must mostly be decided, or the shortcut would not be taken.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaDecisionTest {

  private static final int INSTANCES_PER_SCHEMA = 1500;

  private OpenAPIContract contract;
  private SchemaRepository repository;

  @BeforeAll
  void load(Vertx vertx) {
    contract = OpenAPIContract.from(vertx, HttpEdgeVerticle.CONTRACT).await();
    repository = contract.getSchemaRepository();
  }

  @Test
  @DisplayName("the placement bodies clients send are decided valid without the library")
  void placementBodiesDecidedValid() {
    SchemaDecision.Check decision = SchemaDecision.compile(bodySchema("placeOrder"), repository);
    JsonObject card = new JsonObject()
      .put("storeId", "store-1")
      .put("items", new JsonArray().add(new JsonObject().put("sku", "sku-1").put("quantity", 2))
        .add(new JsonObject().put("sku", "sku-2").put("quantity", 1)))
      .put("payment", new JsonObject().put("method", "CREDIT_CARD").put("card", new JsonObject().put("token", "tok_visa")))
      .put("delivery", new JsonObject().put("address", "1 Load Street")
        .put("location", new JsonObject().put("lat", 12.97).put("lon", 77.59)))
      .put("contact", new JsonObject().put("email", "load@example.com"));
    JsonObject upi = card.copy().put("payment", new JsonObject().put("method", "UPI").put("vpa", "alice@okbank"));
    JsonObject wallet = card.copy().put("payment", new JsonObject().put("method", "WALLET"));
    JsonObject scheduled = card.copy();
    scheduled.getJsonObject("delivery").put("pickupAt", "2026-12-07T18:30:00Z");
    for (JsonObject body : List.of(card, upi, wallet, scheduled)) {
      assertThat(decision.check(body)).as(body.encode()).isEqualTo(Verdict.VALID);
      assertThat(library(bodySchema("placeOrder")).validate(body).getValid()).isTrue();
    }
    JsonObject cardWithVpa = card.copy();
    cardWithVpa.getJsonObject("payment").put("vpa", "alice@okbank");
    JsonObject upiWithoutVpa = card.copy().put("payment", new JsonObject().put("method", "UPI"));
    JsonObject badDate = scheduled.copy();
    badDate.getJsonObject("delivery").put("pickupAt", "tomorrow");
    for (JsonObject body : List.of(cardWithVpa, upiWithoutVpa, badDate)) {
      assertThat(decision.check(body)).as(body.encode()).isNotEqualTo(Verdict.VALID);
      assertThat(library(bodySchema("placeOrder")).validate(body).getValid()).as(body.encode()).isFalse();
    }
  }

  @Test
  @DisplayName("on generated bodies and parameters of every operation, the decision never contradicts the library")
  void agreesWithTheLibrary() {
    Random random = new Random(20261207);
    Map<Verdict, Integer> totals = new EnumMap<>(Verdict.class);
    int libraryValid = 0;
    int decidedValid = 0;
    List<String> contradictions = new ArrayList<>();
    for (Operation operation : contract.operations()) {
      List<JsonSchema> schemas = new ArrayList<>();
      MediaType json = operation.getRequestBody() == null ? null
        : operation.getRequestBody().getContent().get("application/json");
      if (json != null) {
        schemas.add(json.getSchema());
      }
      for (Parameter parameter : operation.getParameters()) {
        schemas.add(parameter.getSchema());
      }
      for (JsonSchema schema : schemas) {
        SchemaDecision.Check decision = SchemaDecision.compile(schema, repository);
        Validator library = library(schema);
        for (int i = 0; i < INSTANCES_PER_SCHEMA; i++) {
          Object instance = generate(schema, random, 0);
          Verdict verdict = decision.check(instance);
          boolean valid = library.validate(instance).getValid();
          totals.merge(verdict, 1, Integer::sum);
          if (valid) {
            libraryValid++;
            if (verdict == Verdict.VALID) {
              decidedValid++;
            }
          }
          if ((verdict == Verdict.VALID && !valid) || (verdict == Verdict.INVALID && valid)) {
            contradictions.add(operation.getOperationId() + ": " + verdict + " but the library says "
              + (valid ? "valid" : "invalid") + " for " + String.valueOf(instance));
          }
        }
      }
    }
    assertThat(contradictions).as("contradictions").isEmpty();
    assertThat(totals.getOrDefault(Verdict.INVALID, 0)).as("invalid instances decided " + totals).isGreaterThan(10_000);
    assertThat(libraryValid).as("valid instances generated " + totals).isGreaterThan(10_000);
    assertThat(decidedValid).as("valid instances decided valid, of " + libraryValid).isGreaterThan(libraryValid * 9 / 10);
  }

  private JsonSchema bodySchema(String operationId) {
    return contract.operation(operationId).getRequestBody().getContent().get("application/json").getSchema();
  }

  private Validator library(JsonSchema schema) {
    return repository.validator(schema);
  }

  // --- instances generated from a schema: mostly what it asks for, sometimes anything

  private static final Object[] ANYTHING = {null, true, false, 0, -1, 1, 1.5, 2.0, 1e20,
    new BigInteger("123456789012345678901234567890"), "", "x", "x".repeat(600), "CREDIT_CARD", "UPI", "WALLET",
    "NET_BANKING", "alice@okbank", "a@b.co", "not an email", "2026-12-07T10:00:00Z", "2026-13-45T99:99:99Z",
    "\uD83D\uDE00\uD83D\uDE00", "123e4567-e89b-12d3-a456-426614174000", "https://example.com/a"};

  private Object generate(Object schema, Random random, int depth) {
    JsonObject node = asObject(schema);
    if (node == null || depth > 6 || random.nextInt(100) < 4) {
      return anything(random);
    }
    if (node.containsKey("$ref")) {
      String uri = node.getString("__absolute_ref__", node.getString("$ref"));
      return generate(repository.find(uri), random, depth + 1);
    }
    for (String combination : List.of("anyOf", "oneOf", "allOf")) {
      JsonArray branches = node.getJsonArray(combination);
      if (branches != null && !node.containsKey("type") && !node.containsKey("properties")) {
        return generate(branches.getValue(random.nextInt(branches.size())), random, depth + 1);
      }
    }
    if (node.containsKey("const")) {
      return node.getValue("const");
    }
    if (node.containsKey("enum")) {
      JsonArray values = node.getJsonArray("enum");
      return values.getValue(random.nextInt(values.size()));
    }
    Object type = node.getValue("type");
    if (type instanceof JsonArray types) {
      type = types.getValue(random.nextInt(types.size()));
    }
    if (type == null) {
      type = node.containsKey("properties") ? "object" : node.containsKey("items") ? "array" : null;
    }
    if (type == null) {
      return anything(random);
    }
    return switch ((String) type) {
      case "object" -> object(node, random, depth);
      case "array" -> array(node, random, depth);
      case "string" -> string(node, random);
      case "integer" -> number(node, random, true);
      case "number" -> number(node, random, false);
      case "boolean" -> random.nextBoolean();
      default -> null;
    };
  }

  private JsonObject object(JsonObject node, Random random, int depth) {
    JsonObject object = new JsonObject();
    JsonObject properties = node.getJsonObject("properties", new JsonObject());
    JsonArray required = node.getJsonArray("required", new JsonArray());
    for (String name : properties.fieldNames()) {
      boolean wanted = required.contains(name) ? random.nextInt(100) < 95 : random.nextInt(100) < 40;
      if (wanted) {
        object.put(name, generate(properties.getValue(name), random, depth + 1));
      }
    }
    if (random.nextInt(100) < 3) {
      object.put("unexpected", "field");
    }
    return object;
  }

  private JsonArray array(JsonObject node, Random random, int depth) {
    int min = node.getInteger("minItems", 0);
    int max = Math.min(node.getInteger("maxItems", 4), 4);
    int size = random.nextInt(100) < 95 ? min + random.nextInt(Math.max(1, max - min + 1)) : random.nextInt(3);
    JsonArray array = new JsonArray();
    for (int i = 0; i < size; i++) {
      array.add(generate(node.getValue("items"), random, depth + 1));
    }
    return array;
  }

  private static Object string(JsonObject node, Random random) {
    String format = node.getString("format");
    if (random.nextInt(100) < 10) {
      return anything(random);
    }
    if ("date-time".equals(format)) {
      return random.nextBoolean() ? "2026-12-07T18:30:00Z" : "2026-12-07T18:30:00.123+05:30";
    }
    if ("email".equals(format)) {
      return random.nextBoolean() ? "load@example.com" : "a.b+c@mail.example.org";
    }
    if ("uuid".equals(format)) {
      return UUID.randomUUID().toString();
    }
    if ("uri".equals(format) || "uri-reference".equals(format)) {
      return "https://example.com/x";
    }
    if (node.containsKey("pattern")) {
      return random.nextBoolean() ? "alice@okbank" : "+919876543210";
    }
    int min = node.getInteger("minLength", 1);
    int max = Math.min(node.getInteger("maxLength", 20), 20);
    return "s".repeat(Math.max(min, Math.min(max, 1 + random.nextInt(8))));
  }

  private static Number number(JsonObject node, Random random, boolean integer) {
    Number minimum = node.getNumber("minimum");
    Number maximum = node.getNumber("maximum");
    double low = minimum == null ? -1000 : minimum.doubleValue();
    double high = maximum == null ? low + 2000 : maximum.doubleValue();
    int roll = random.nextInt(100);
    if (roll < 5) {
      return low - 1;
    }
    if (roll < 10) {
      return high + 1;
    }
    double value = low + random.nextDouble() * (high - low);
    if (integer) {
      return roll < 15 ? (Number) Math.floor(value) : (Number) (long) Math.floor(value);
    }
    return value;
  }

  private static JsonObject asObject(Object schema) {
    if (schema instanceof JsonObject object) {
      return object;
    }
    if (schema instanceof JsonSchema jsonSchema && jsonSchema != JsonSchema.of(true) && jsonSchema != JsonSchema.of(false)) {
      JsonObject object = new JsonObject();
      for (String name : jsonSchema.fieldNames()) {
        object.put(name, jsonSchema.get(name));
      }
      return object;
    }
    return null;
  }

  private static Object anything(Random random) {
    int pick = random.nextInt(ANYTHING.length + 2);
    if (pick == ANYTHING.length) {
      return new JsonObject();
    }
    return pick > ANYTHING.length ? new JsonArray() : ANYTHING[pick];
  }
}
