package dev.cleanroom.dp.client;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.MissingValues;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.util.OptionalDouble;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON of the DP query service's API ({@code dp-query-service.yaml}), written in one place for both
 * ends: the service that writes answers and reads queries, and {@link HttpDpClient}, which does the
 * reverse. A field renamed here is renamed on both sides.
 *
 * <p>Failures to read a request are {@link DpClientException}s with code {@code invalid_request} and
 * HTTP status 400, naming the field and what it should hold.
 */
public final class WireFormat {
  /** The query types of {@code POST /v1/datasets/{name}/queries}. */
  public static final String COUNT = "count";
  public static final String MISSING_COUNT = "missing_count";
  public static final String SUM = "sum";
  public static final String MEAN = "mean";
  public static final String HISTOGRAM = "histogram";
  public static final String QUANTILE = "quantile";

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .addMixIn(ColumnPolicy.class, ColumnPolicyJson.class)
      .addMixIn(Charge.class, ChargeJson.class)
      .registerModule(new SimpleModule("missing-values")
          .addSerializer(MissingValues.class, new MissingValuesWriter())
          .addDeserializer(MissingValues.class, new MissingValuesReader()));

  private WireFormat() {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = ColumnPolicy.Numeric.class, name = "numeric"),
      @JsonSubTypes.Type(value = ColumnPolicy.Categorical.class, name = "categorical"),
      @JsonSubTypes.Type(value = ColumnPolicy.Bool.class, name = "boolean"),
      @JsonSubTypes.Type(value = ColumnPolicy.Temporal.class, name = "temporal"),
      @JsonSubTypes.Type(value = ColumnPolicy.Identifier.class, name = "identifier"),
      @JsonSubTypes.Type(value = ColumnPolicy.Excluded.class, name = "excluded")})
  private interface ColumnPolicyJson {}

  /** A column's missing values: {@code {"allowed":true,"imputed":25.0,"mockRate":0.05}}, no imputed when skipped. */
  private static final class MissingValuesWriter extends StdSerializer<MissingValues> {
    MissingValuesWriter() {
      super(MissingValues.class);
    }

    @Override
    public void serialize(MissingValues missing, JsonGenerator json, SerializerProvider provider) throws IOException {
      json.writeStartObject();
      json.writeBooleanField("allowed", missing.allowed());
      if (missing.imputed().isPresent()) {
        json.writeNumberField("imputed", missing.imputed().getAsDouble());
      }
      json.writeNumberField("mockRate", missing.mockRate());
      json.writeEndObject();
    }
  }

  private static final class MissingValuesReader extends StdDeserializer<MissingValues> {
    MissingValuesReader() {
      super(MissingValues.class);
    }

    @Override
    public MissingValues deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      JsonNode json = parser.readValueAsTree();
      JsonNode imputed = json.path("imputed");
      return new MissingValues(json.path("allowed").asBoolean(),
          imputed.isNumber() ? OptionalDouble.of(imputed.doubleValue()) : OptionalDouble.empty(),
          json.path("mockRate").asDouble());
    }
  }

  /** The audit view shows what was charged; whether a call replayed a charge means nothing there. */
  private abstract static class ChargeJson {
    @JsonIgnore
    abstract boolean replayed();
  }

  /** Any API value (records such as {@link DatasetInfo}, {@link BudgetStatus}, {@link Charge}, or a node) as JSON. */
  public static byte[] write(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Tried to write " + value.getClass().getSimpleName() + " as JSON but failed", e);
    }
  }

  public static <T> T read(byte[] json, TypeReference<T> type) throws IOException {
    return JSON.readValue(json, type);
  }

  /** Parses a JSON document; malformed JSON is refused as {@code invalid_request}. */
  public static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw invalid("the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalStateException("reading JSON from memory does not fail with I/O errors", e);
    }
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** A query as the service takes it: {@code {"type":"mean","column":"charges","epsilon":0.1,"delta":0}}. */
  public static ObjectNode query(DpQuery<?> query) {
    ObjectNode json = object();
    switch (query) {
      case DpQuery.Count c -> json.put("type", COUNT);
      case DpQuery.MissingCount m -> json.put("type", MISSING_COUNT).put("column", m.column());
      case DpQuery.Sum s -> json.put("type", SUM).put("column", s.column());
      case DpQuery.Mean m -> json.put("type", MEAN).put("column", m.column());
      case DpQuery.Histogram h -> json.put("type", HISTOGRAM).put("column", h.column());
      case DpQuery.PeriodHistogram h -> json.put("type", HISTOGRAM).put("column", h.column()).put("by", h.period());
      case DpQuery.Quantile q -> json.put("type", QUANTILE).put("column", q.column()).put("alpha", q.alpha());
    }
    return json.put("epsilon", query.epsilon()).put("delta", query.delta());
  }

  /**
   * Reads the query part of a request body (the mechanism, its column and privacy arguments); other
   * fields, such as a filter, are the caller's. Whether ε, δ and alpha are in range, and whether the
   * column exists, is the engine's to say, with its own codes.
   */
  public static DpQuery<?> query(JsonNode json) {
    if (!(json instanceof ObjectNode)) {
      throw invalid("the body must be a JSON object such as {\"type\":\"mean\",\"column\":\"charges\",\"epsilon\":0.1}");
    }
    String type = text(json, "type").orElseThrow(() -> invalid("'type' is missing; use one of " + types()));
    double epsilon = number(json, "epsilon").orElseThrow(() -> invalid("'epsilon' is missing; give a number > 0"));
    double delta = number(json, "delta").orElse(0.0);
    if (json.has("by") && !type.equals(HISTOGRAM)) {
      throw invalid("'by' belongs to histograms of dates only");
    }
    if (json.has("alpha") && !type.equals(QUANTILE)) {
      throw invalid("'alpha' belongs to quantile queries only");
    }
    if (type.equals(COUNT)) {
      if (json.has("column")) {
        throw invalid("a count counts rows and takes no 'column'");
      }
      return new DpQuery.Count(epsilon, delta);
    }
    String column = text(json, "column").orElseThrow(() -> invalid("a " + type + " query needs a 'column'"));
    return switch (type) {
      case MISSING_COUNT -> new DpQuery.MissingCount(column, epsilon, delta);
      case SUM -> new DpQuery.Sum(column, epsilon, delta);
      case MEAN -> new DpQuery.Mean(column, epsilon, delta);
      case HISTOGRAM -> json.has("by")
          ? new DpQuery.PeriodHistogram(column, text(json, "by").orElseThrow(), epsilon, delta)
          : new DpQuery.Histogram(column, epsilon, delta);
      case QUANTILE -> {
        if (delta != 0) {
          throw invalid("a quantile is pure ε-DP (the exponential mechanism); leave 'delta' out or set it to 0");
        }
        yield new DpQuery.Quantile(column, number(json, "alpha").orElse(0.5), epsilon);
      }
      default -> throw invalid("unknown query type '" + type + "'; use one of " + types());
    };
  }

  private static String types() {
    return String.join(", ", COUNT, SUM, MEAN, HISTOGRAM, QUANTILE, MISSING_COUNT);
  }

  /**
   * A query restricted to the rows matching {@code where} and, with {@code groupBy}, answered per group:
   * {@code {"type":"mean","column":"charges","epsilon":0.1,"delta":0,"where":{"smoker":"yes"},"groupBy":"region"}}.
   */
  public static ObjectNode query(DpQuery<?> query, Map<String, String> where, Optional<String> groupBy) {
    ObjectNode json = query(query);
    if (!where.isEmpty()) {
      ObjectNode filter = json.putObject("where");
      where.forEach(filter::put);
    }
    groupBy.ifPresent(column -> json.put("groupBy", column));
    return json;
  }

  /**
   * A released answer: {@code {"queryId","answer","cost","remaining","mechanism","noiseScale"}}, and
   * {@code "raw"} when post-processing changed the answer (a noisy count below 0 shown as 0).
   */
  public static ObjectNode answer(ChargedAnswer<?> charged) {
    DpAnswer<?> answer = charged.answer();
    ObjectNode json = object().put("queryId", charged.queryId());
    putValues(json, answer);
    json.set("cost", cost(answer.cost()));
    json.set("remaining", cost(charged.remaining()));
    return json.put("mechanism", answer.mechanism()).put("noiseScale", answer.noiseScale());
  }

  /** Reads an answer to {@code query}, typed as the query's answers are (a count is a {@code Long}, ...). */
  public static <T> ChargedAnswer<T> answer(JsonNode json, DpQuery<T> query) {
    DpAnswer<T> answer = new DpAnswer<>(value(json.path("answer"), query), cost(json.path("cost")),
        json.path("mechanism").asText(), json.path("noiseScale").doubleValue(), raw(json, query),
        json.path("missingValues").asText(""));
    return new ChargedAnswer<>(json.path("queryId").asText(), answer, cost(json.path("remaining")));
  }

  /**
   * Answers per group under one charge: {@code {"queryId","groupBy","groups":{"northeast":{"answer",
   * "mechanism","noiseScale"},...},"cost","remaining"}}.
   */
  public static ObjectNode grouped(GroupedAnswer<?> grouped) {
    ObjectNode json = object().put("queryId", grouped.queryId()).put("groupBy", grouped.column());
    ObjectNode groups = json.putObject("groups");
    grouped.groups().forEach((category, answer) -> {
      ObjectNode group = groups.putObject(category);
      putValues(group, answer);
      group.put("mechanism", answer.mechanism()).put("noiseScale", answer.noiseScale());
    });
    json.set("cost", cost(grouped.cost()));
    json.set("remaining", cost(grouped.remaining()));
    return json;
  }

  /** Reads answers per group to {@code query}; each group's answer carries the one charge's cost. */
  public static <T> GroupedAnswer<T> grouped(JsonNode json, DpQuery<T> query) {
    PrivacyCost cost = cost(json.path("cost"));
    Map<String, DpAnswer<T>> groups = new LinkedHashMap<>();
    json.path("groups").properties().forEach(entry -> groups.put(entry.getKey(), new DpAnswer<>(
        value(entry.getValue().path("answer"), query), cost, entry.getValue().path("mechanism").asText(),
        entry.getValue().path("noiseScale").doubleValue(), raw(entry.getValue(), query),
        entry.getValue().path("missingValues").asText(""))));
    return new GroupedAnswer<>(json.path("queryId").asText(), json.path("groupBy").asText(), groups, cost,
        cost(json.path("remaining")));
  }

  private static void putValues(ObjectNode json, DpAnswer<?> answer) {
    json.set("answer", JSON.valueToTree(answer.value()));
    if (!answer.missingValues().isEmpty()) {
      json.put("missingValues", answer.missingValues());
    }
    if (answer.postProcessed()) {
      json.set("raw", JSON.valueToTree(answer.raw()));
    }
  }

  /** The raw noisy answer: {@code "raw"} if the answer was post-processed, else the answer itself. */
  private static <T> T raw(JsonNode json, DpQuery<T> query) {
    return value(json.has("raw") ? json.path("raw") : json.path("answer"), query);
  }

  @SuppressWarnings("unchecked")
  private static <T> T value(JsonNode value, DpQuery<T> query) {
    Object typed = switch (query) {
      case DpQuery.Count c -> value.longValue();
      case DpQuery.MissingCount m -> value.longValue();
      case DpQuery.Histogram h -> counts(value);
      case DpQuery.PeriodHistogram h -> counts(value);
      case DpQuery.Sum s -> value.doubleValue();
      case DpQuery.Mean m -> value.doubleValue();
      case DpQuery.Quantile q -> value.doubleValue();
    };
    return (T) typed;
  }

  private static Map<String, Long> counts(JsonNode value) {
    Map<String, Long> counts = new LinkedHashMap<>();
    value.properties().forEach(entry -> counts.put(entry.getKey(), entry.getValue().longValue()));
    return Collections.unmodifiableMap(counts);
  }

  /** {@code {"epsilon","delta"}}. */
  public static ObjectNode cost(PrivacyCost cost) {
    return object().put("epsilon", cost.epsilon()).put("delta", cost.delta());
  }

  public static PrivacyCost cost(JsonNode json) {
    return new PrivacyCost(json.path("epsilon").doubleValue(), json.path("delta").doubleValue());
  }

  /** An error body: {@code {"code","message"}}, plus {@code "remaining"} when the refusal is about the budget. */
  public static ObjectNode error(String code, String message, Optional<PrivacyCost> remaining) {
    ObjectNode json = object().put("code", code).put("message", message);
    remaining.ifPresent(left -> json.set("remaining", cost(left)));
    return json;
  }

  public static ObjectNode error(DpClientException e) {
    return error(e.code(), e.getMessage(), e.remaining());
  }

  /** The refusal an error response stands for, with the service's code, status and remaining budget. */
  public static DpClientException error(int status, byte[] body) {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !json.path("code").isTextual()) {
      return new DpClientException("unexpected_response", status,
          "The DP query service answered HTTP " + status + " without an error body; check the service URL");
    }
    PrivacyCost remaining = json.has("remaining") ? cost(json.get("remaining")) : null;
    return new DpClientException(json.get("code").asText(), status, json.path("message").asText(), remaining);
  }

  private static Optional<String> text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw invalid("'" + field + "' must be a string");
    }
    return Optional.of(value.asText());
  }

  private static Optional<Double> number(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isNumber()) {
      throw invalid("'" + field + "' must be a number");
    }
    return Optional.of(value.doubleValue());
  }

  /** A request the service cannot read: code {@code invalid_request}, HTTP 400. */
  public static DpClientException invalid(String reason) {
    return new DpClientException("invalid_request", 400, "Invalid query: " + reason);
  }
}
