package com.oms.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.impl.Format;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A JSON Schema compiled once into plain checks that decide whether an instance is valid the way
 * vertx-json-schema would decide it, or say they cannot tell. The library interprets the schema on
 * every request (map lookups for every keyword, location strings for every node, each pattern compiled
 * again): a fifth of the event loop's Java CPU at 400 placements/s, measured with JFR. So the library
 * stays the authority, and this only answers the common case early:
 * <ul>
 *   <li>{@link Verdict#VALID}: the library would accept it; it is not asked.</li>
 *   <li>{@link Verdict#INVALID} or {@link Verdict#UNDECIDED}: the library is asked, and its answer, with
 *   its error locations and messages, is the one the client gets.</li>
 * </ul>
 * Each keyword below follows the library's rules exactly (which keywords apply to which instance type,
 * integers, lengths in code points, patterns found anywhere in the string, the library's own formats);
 * a keyword it does not know, or a case it does not model (big numbers, numeric enums, {@code $ref} with
 * siblings), makes its schema node undecided, never valid. Exactness matters in both directions: an
 * INVALID under {@code not} or {@code if} would turn into a VALID. {@code SchemaDecisionTest} compares
 * both on thousands of generated bodies for every operation of the contract.
 */
final class SchemaDecision {

  enum Verdict {
    VALID, INVALID, UNDECIDED;

    static Verdict of(boolean valid) {
      return valid ? VALID : INVALID;
    }
  }

  /** One compiled schema node. */
  @FunctionalInterface
  interface Check {
    Verdict check(Object instance);
  }

  private static final Check ALWAYS_VALID = instance -> Verdict.VALID;
  private static final Check NEVER_VALID = instance -> Verdict.INVALID;
  private static final Check UNDECIDED = instance -> Verdict.UNDECIDED;

  /** Keywords that annotate and never fail an instance, and the library's own bookkeeping. */
  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "examples", "example", "default",
    "deprecated", "readOnly", "writeOnly", "$comment", "$id", "$schema", "$anchor");
  private static final Set<String> NUMERIC_FORMATS = Set.of("int32", "int64", "float", "double");

  private final SchemaRepository repository;
  private final Map<String, Reference> references = new HashMap<>();

  private SchemaDecision(SchemaRepository repository) {
    this.repository = repository;
  }

  /** Compiles {@code schema}; {@code $ref}s are looked up in {@code repository}, as the library does. */
  static Check compile(JsonSchema schema, SchemaRepository repository) {
    return new SchemaDecision(repository).node(schema);
  }

  private Check node(Object schema) {
    if (schema instanceof Boolean bool) {
      return bool ? ALWAYS_VALID : NEVER_VALID;
    }
    if (schema instanceof JsonObject object) {
      return keywords(object.fieldNames(), object::getValue);
    }
    if (schema instanceof JsonSchema jsonSchema) {
      if (jsonSchema == JsonSchema.of(true)) {
        return ALWAYS_VALID;
      }
      if (jsonSchema == JsonSchema.of(false)) {
        return NEVER_VALID;
      }
      return keywords(jsonSchema.fieldNames(), jsonSchema::get);
    }
    return UNDECIDED;
  }

  private Check keywords(Set<String> names, Function<String, Object> keyword) {
    List<String> validating = new ArrayList<>();
    for (String name : names) {
      if (!ANNOTATIONS.contains(name) && !name.startsWith("__") && !name.startsWith("x-")) {
        validating.add(name);
      }
    }
    if (validating.contains("$ref")) {
      // draft 4 and 7 ignore a reference's siblings, 2019 and later apply them: not modelled
      return validating.size() == 1 ? reference(keyword) : UNDECIDED;
    }
    List<Check> checks = new ArrayList<>();
    for (String name : validating) {
      Check check = keyword(name, keyword);
      if (check == null) {
        return UNDECIDED;
      }
      if (check != ALWAYS_VALID) {
        checks.add(check);
      }
    }
    return all(checks);
  }

  /** The check of one keyword, {@link #ALWAYS_VALID} for one that only works with another, null if unknown. */
  private Check keyword(String name, Function<String, Object> keyword) {
    Object value = keyword.apply(name);
    return switch (name) {
      case "type" -> type(value);
      case "enum" -> value instanceof JsonArray values ? oneOfValues(values.getList()) : null;
      case "const" -> oneOfValues(java.util.Collections.singletonList(value));
      case "required" -> value instanceof JsonArray required ? required(required) : null;
      case "properties" -> value instanceof JsonObject properties
        ? properties(properties, keyword.apply("additionalProperties")) : null;
      case "additionalProperties" -> keyword.apply("properties") != null ? ALWAYS_VALID
        : properties(new JsonObject(), value);
      case "items" -> value instanceof JsonArray ? null : items(node(value));
      case "minItems" -> value instanceof Integer min ? onArray(array -> Verdict.of(array.size() >= min)) : null;
      case "maxItems" -> value instanceof Integer max ? onArray(array -> Verdict.of(array.size() <= max)) : null;
      case "minimum" -> bound(value, true);
      case "maximum" -> bound(value, false);
      case "minLength" -> value instanceof Integer min ? onString(s -> Verdict.of(s.codePointCount(0, s.length()) >= min)) : null;
      case "maxLength" -> value instanceof Integer max ? onString(s -> Verdict.of(s.codePointCount(0, s.length()) <= max)) : null;
      case "pattern" -> value instanceof String regex ? pattern(Pattern.compile(regex)) : null;
      case "format" -> value instanceof String format && !NUMERIC_FORMATS.contains(format)
        ? onString(s -> Verdict.of(Format.fastFormat(format, s))) : null;
      case "allOf" -> value instanceof JsonArray schemas ? all(nodes(schemas)) : null;
      case "anyOf" -> value instanceof JsonArray schemas ? any(nodes(schemas)) : null;
      case "oneOf" -> value instanceof JsonArray schemas ? exactlyOne(nodes(schemas)) : null;
      case "not" -> not(node(value));
      case "if" -> conditional(node(value), optional(keyword.apply("then")), optional(keyword.apply("else")));
      case "then", "else" -> ALWAYS_VALID; // applied by "if", ignored without it
      default -> null;
    };
  }

  private Check optional(Object schema) {
    return schema == null ? ALWAYS_VALID : node(schema);
  }

  private List<Check> nodes(JsonArray schemas) {
    List<Check> checks = new ArrayList<>(schemas.size());
    for (int i = 0; i < schemas.size(); i++) {
      checks.add(node(schemas.getValue(i)));
    }
    return checks;
  }

  /** References are resolved once each, and lazily, so a schema that refers to itself compiles. */
  private Check reference(Function<String, Object> keyword) {
    Object absolute = keyword.apply("__absolute_ref__");
    Object uri = absolute != null ? absolute : keyword.apply("$ref");
    if (!(uri instanceof String key)) {
      return UNDECIDED;
    }
    Reference reference = references.get(key);
    if (reference == null) {
      reference = new Reference();
      references.put(key, reference);
      JsonSchema target = repository.find(key);
      reference.target = target == null ? UNDECIDED : node(target);
    }
    return reference;
  }

  private static final class Reference implements Check {
    private Check target = UNDECIDED;

    @Override
    public Verdict check(Object instance) {
      return target.check(instance);
    }
  }

  // --- instances, typed as the library types them

  private static Object jsonify(Object instance) {
    if (instance instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> object = (Map<String, Object>) map;
      return new JsonObject(object);
    }
    if (instance instanceof List<?> list) {
      return new JsonArray(list);
    }
    return instance;
  }

  private static String typeOf(Object instance) {
    if (instance == null) {
      return "null";
    }
    if (instance instanceof String) {
      return "string";
    }
    if (instance instanceof Boolean) {
      return "boolean";
    }
    if (instance instanceof Number) {
      return "number";
    }
    if (instance instanceof JsonObject || instance instanceof Map) {
      return "object";
    }
    if (instance instanceof JsonArray || instance instanceof List) {
      return "array";
    }
    return null;
  }

  private static boolean isBig(Object number) {
    return number instanceof BigDecimal || number instanceof BigInteger;
  }

  private static boolean isWhole(Number number) {
    if (number instanceof Byte || number instanceof Short || number instanceof Integer || number instanceof Long
      || number instanceof BigInteger) {
      return true;
    }
    if (number instanceof Float f) {
      return f % 1 == 0.0f;
    }
    if (number instanceof Double d) {
      return d % 1 == 0.0;
    }
    return ((BigDecimal) number).remainder(BigDecimal.ONE).signum() == 0;
  }

  // --- keywords

  private static Check type(Object value) {
    List<String> types = new ArrayList<>();
    if (value instanceof String single) {
      types.add(single);
    } else if (value instanceof JsonArray many) {
      for (Object type : many) {
        if (!(type instanceof String name)) {
          return null;
        }
        types.add(name);
      }
    } else {
      return null;
    }
    return instance -> {
      Object json = jsonify(instance);
      String actual = typeOf(json);
      if (actual == null) {
        return Verdict.UNDECIDED;
      }
      for (String type : types) {
        if (type.equals(actual) || (type.equals("integer") && json instanceof Number number && isWhole(number))) {
          return Verdict.VALID;
        }
      }
      return Verdict.INVALID;
    };
  }

  /** {@code enum} and {@code const} of strings, booleans and null; numbers, objects and arrays are not modelled. */
  private static Check oneOfValues(List<Object> values) {
    for (Object value : values) {
      if (value != null && !(value instanceof String) && !(value instanceof Boolean)) {
        return null;
      }
    }
    return instance -> {
      Object json = jsonify(instance);
      if (json instanceof Number || json instanceof JsonObject || json instanceof JsonArray) {
        return Verdict.UNDECIDED;
      }
      for (Object value : values) {
        if (value == null ? json == null : value.equals(json)) {
          return Verdict.VALID;
        }
      }
      return Verdict.INVALID;
    };
  }

  private static Check required(JsonArray names) {
    List<String> required = new ArrayList<>();
    for (Object name : names) {
      if (!(name instanceof String key)) {
        return null;
      }
      required.add(key);
    }
    return onObject(object -> {
      for (String name : required) {
        if (!object.containsKey(name)) {
          return Verdict.INVALID;
        }
      }
      return Verdict.VALID;
    });
  }

  /** {@code properties} with the {@code additionalProperties} that applies to the names it does not list. */
  private Check properties(JsonObject properties, Object additional) {
    Map<String, Check> known = new HashMap<>();
    for (String name : properties.fieldNames()) {
      known.put(name, node(properties.getValue(name)));
    }
    Check others = additional == null ? ALWAYS_VALID : node(additional);
    return onObject(object -> {
      Verdict verdict = Verdict.VALID;
      for (String name : object.fieldNames()) {
        Check check = known.get(name);
        Verdict one = (check != null ? check : others).check(object.getValue(name));
        if (one == Verdict.INVALID) {
          return Verdict.INVALID;
        }
        if (one == Verdict.UNDECIDED) {
          verdict = Verdict.UNDECIDED;
        }
      }
      return verdict;
    });
  }

  private static Check items(Check item) {
    return onArray(array -> {
      Verdict verdict = Verdict.VALID;
      for (int i = 0; i < array.size(); i++) {
        Verdict one = item.check(array.getValue(i));
        if (one == Verdict.INVALID) {
          return Verdict.INVALID;
        }
        if (one == Verdict.UNDECIDED) {
          verdict = Verdict.UNDECIDED;
        }
      }
      return verdict;
    });
  }

  private static Check bound(Object value, boolean lower) {
    if (!(value instanceof Number limit) || isBig(limit)) {
      return null;
    }
    return instance -> {
      if (!(instance instanceof Number number)) {
        return Verdict.VALID; // applies to numbers only
      }
      if (isBig(number)) {
        return Verdict.UNDECIDED;
      }
      // the library compares as doubles too
      double n = number.doubleValue();
      double l = limit.doubleValue();
      return Verdict.of(lower ? !(n < l) : !(n > l));
    };
  }

  private static Check pattern(Pattern pattern) {
    return onString(s -> Verdict.of(pattern.matcher(s).find()));
  }

  private static Check onString(Function<String, Verdict> check) {
    return instance -> instance instanceof String s ? check.apply(s) : Verdict.VALID;
  }

  private static Check onObject(Function<JsonObject, Verdict> check) {
    return instance -> jsonify(instance) instanceof JsonObject object ? check.apply(object) : Verdict.VALID;
  }

  private static Check onArray(Function<JsonArray, Verdict> check) {
    return instance -> jsonify(instance) instanceof JsonArray array ? check.apply(array) : Verdict.VALID;
  }

  // --- combinations of verdicts

  private static Check all(List<Check> checks) {
    if (checks.isEmpty()) {
      return ALWAYS_VALID;
    }
    if (checks.size() == 1) {
      return checks.get(0);
    }
    Check[] array = checks.toArray(Check[]::new);
    return instance -> {
      Verdict verdict = Verdict.VALID;
      for (Check check : array) {
        Verdict one = check.check(instance);
        if (one == Verdict.INVALID) {
          return Verdict.INVALID;
        }
        if (one == Verdict.UNDECIDED) {
          verdict = Verdict.UNDECIDED;
        }
      }
      return verdict;
    };
  }

  private static Check any(List<Check> checks) {
    Check[] array = checks.toArray(Check[]::new);
    return instance -> {
      Verdict verdict = Verdict.INVALID;
      for (Check check : array) {
        Verdict one = check.check(instance);
        if (one == Verdict.VALID) {
          return Verdict.VALID;
        }
        if (one == Verdict.UNDECIDED) {
          verdict = Verdict.UNDECIDED;
        }
      }
      return verdict;
    };
  }

  private static Check exactlyOne(List<Check> checks) {
    Check[] array = checks.toArray(Check[]::new);
    return instance -> {
      int valid = 0;
      for (Check check : array) {
        Verdict one = check.check(instance);
        if (one == Verdict.UNDECIDED) {
          return Verdict.UNDECIDED;
        }
        if (one == Verdict.VALID) {
          valid++;
        }
      }
      return Verdict.of(valid == 1);
    };
  }

  private static Check not(Check check) {
    return instance -> switch (check.check(instance)) {
      case VALID -> Verdict.INVALID;
      case INVALID -> Verdict.VALID;
      case UNDECIDED -> Verdict.UNDECIDED;
    };
  }

  private static Check conditional(Check condition, Check then, Check otherwise) {
    return instance -> switch (condition.check(instance)) {
      case VALID -> then.check(instance);
      case INVALID -> otherwise.check(instance);
      case UNDECIDED -> Verdict.UNDECIDED;
    };
  }
}
