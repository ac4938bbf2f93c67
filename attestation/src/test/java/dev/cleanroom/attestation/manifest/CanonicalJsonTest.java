package dev.cleanroom.attestation.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
  private static String canonical(String json) {
    return new String(CanonicalJson.serialize(CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8);
  }

  @Test
  void serialize_sortsMembersAndDropsWhitespace() {
    assertEquals("{\"a\":[1,true,null],\"b\":{\"x\":\"y\",\"y\":2}}", canonical(" { \"b\" : {\"y\":2, \"x\":\"y\"},\n \"a\": [1, true, null] } "));
  }

  @Test
  void serialize_ordersMembersByUtf16CodeUnits() {
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts before "\ud83d\ude00" (😀), whose first code unit is larger.
    assertEquals("{\"1\":0,\"A\":0,\"a\":0,\"€\":0,\"😀\":0}", canonical("{\"😀\":0,\"€\":0,\"a\":0,\"A\":0,\"1\":0}"));
  }

  @Test
  void serialize_escapesAsJcsPrescribes() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("s", "q\"b\\n\n t\t c\u0001 e\u00e9 d\u007f");
    assertEquals("{\"s\":\"q\\\"b\\\\n\\n t\\t c\\u0001 eé d\u007f\"}", new String(CanonicalJson.serialize(o), StandardCharsets.UTF_8));
  }

  @Test
  void serialize_writesIntegralFloatsAsIntegers() {
    assertEquals("[1,-2,0]", canonical("[1.0, -2, 0.0]"));
  }

  @Test
  void serialize_fraction_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> canonical("[1.5]"));
  }

  @Test
  void serialize_integerBeyondTwoToThe53_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> canonical("[9007199254740993]"));
  }

  @Test
  void serialize_loneSurrogate_isRefused() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("s", "\ud800");
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.serialize(o));
  }

  @Test
  void parse_duplicateMember_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void parse_trailingContent_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.parse("{} {}".getBytes(StandardCharsets.UTF_8)));
  }
}
