package dev.cleanroom.attestation.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one canonical serialisation of JSON values that hashes are taken over: RFC 8785 (JSON
 * Canonicalization Scheme) — object members sorted by their UTF-16 code units, no insignificant
 * whitespace, strings escaped as JCS prescribes, UTF-8.
 *
 * <p>Numbers are limited to integers within ±(2^53 − 1), the range in which every JSON implementation
 * agrees on the value, so JCS's floating-point formatting is never needed. Parsing refuses duplicate
 * member names and trailing content: a document two readers could see differently is never hashed.
 */
public final class CanonicalJson {
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private CanonicalJson() {}

  /** Parses a JSON document strictly (no duplicate member names, nothing after the value). */
  public static JsonNode parse(byte[] json) {
    try {
      JsonNode node = STRICT.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("empty JSON document");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid JSON", e);
    }
  }

  /** The mapper this module reads and writes its JSON files with (strict on reading). */
  public static ObjectMapper mapper() {
    return STRICT;
  }

  /** A JSON value as pretty-printed UTF-8, for people to read (reports, trust files); no hash depends on it. */
  public static byte[] pretty(JsonNode value) {
    try {
      return STRICT.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** The canonical UTF-8 bytes of a JSON value. */
  public static byte[] serialize(JsonNode value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(JsonNode value, StringBuilder out) {
    switch (value.getNodeType()) {
      case OBJECT -> {
        List<String> names = new ArrayList<>();
        value.fieldNames().forEachRemaining(names::add);
        // String.compareTo orders by UTF-16 code units, which is exactly JCS's member order.
        names.sort(String::compareTo);
        out.append('{');
        for (int i = 0; i < names.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          writeString(names.get(i), out);
          out.append(':');
          write(value.get(names.get(i)), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        Iterator<JsonNode> elements = value.elements();
        for (boolean first = true; elements.hasNext(); first = false) {
          if (!first) {
            out.append(',');
          }
          write(elements.next(), out);
        }
        out.append(']');
      }
      case STRING -> writeString(value.textValue(), out);
      case BOOLEAN -> out.append(value.booleanValue());
      case NULL -> out.append("null");
      case NUMBER -> out.append(integer(value));
      default -> throw new IllegalArgumentException("not a JSON value: " + value.getNodeType());
    }
  }

  private static long integer(JsonNode number) {
    if (number.isIntegralNumber() && number.canConvertToLong()) {
      long v = number.longValue();
      if (Math.abs(v) <= MAX_SAFE_INTEGER) {
        return v;
      }
    } else if (number.isFloatingPointNumber()) {
      double d = number.doubleValue();
      if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) <= MAX_SAFE_INTEGER) {
        return (long) d;
      }
    }
    throw new IllegalArgumentException(
        "canonical JSON here holds only integers within ±(2^53 − 1), not " + number.asText());
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
        continue;
      }
      if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("a string holds a lone UTF-16 surrogate, which JSON cannot carry");
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Reads a JSON object member that must be a string. */
  static String text(JsonNode object, String name) {
    JsonNode v = object.get(name);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("'" + name + "' must be a string");
    }
    return v.textValue();
  }

  /** Reads a JSON object member that must be an object of strings. */
  static Map<String, String> textMap(JsonNode object, String name) {
    JsonNode v = object.get(name);
    if (v == null || !v.isObject()) {
      throw new IllegalArgumentException("'" + name + "' must be an object");
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException("'" + name + "." + e.getKey() + "' must be a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }
}
