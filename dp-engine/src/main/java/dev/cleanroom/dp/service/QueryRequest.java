package dev.cleanroom.dp.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.dp.client.WireFormat;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.RowFilter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The body of {@code POST /v1/datasets/{name}/queries}: a DP query, optionally restricted to the rows
 * whose categorical columns equal given declared categories ({@code "where": {"smoker": "yes"}}), and
 * optionally answered once per category of a categorical column ({@code "groupBy": "region"}).
 *
 * @param where column → category; the rows kept are those matching every entry
 */
public record QueryRequest(DpQuery<?> query, Map<String, String> where, Optional<String> groupBy) {
  public QueryRequest {
    where = Map.copyOf(where);
  }

  public static QueryRequest of(DpQuery<?> query) {
    return new QueryRequest(query, Map.of(), Optional.empty());
  }

  /** Reads a request body; anything unreadable is a {@code invalid_request} refusal (HTTP 400). */
  public static QueryRequest parse(byte[] body) {
    JsonNode json = WireFormat.tree(body);
    DpQuery<?> query = WireFormat.query(json);
    Map<String, String> where = new LinkedHashMap<>();
    JsonNode filter = json.get("where");
    if (filter != null && !filter.isNull()) {
      if (!filter.isObject()) {
        throw WireFormat.invalid("'where' must be an object of column → category, e.g. {\"smoker\": \"yes\"}");
      }
      filter.properties().forEach(entry -> {
        if (!entry.getValue().isTextual()) {
          throw WireFormat.invalid("'where." + entry.getKey() + "' must be a category, as a string");
        }
        where.put(entry.getKey(), entry.getValue().asText());
      });
    }
    JsonNode groupBy = json.get("groupBy");
    if (groupBy != null && !groupBy.isNull() && !groupBy.isTextual()) {
      throw WireFormat.invalid("'groupBy' must be the name of a categorical column");
    }
    return new QueryRequest(query, where,
        groupBy == null || groupBy.isNull() ? Optional.empty() : Optional.of(groupBy.asText()));
  }

  /** For the access log: {@code mean(charges) where smoker=yes group by region, ε 0.1}. */
  public String describe() {
    StringBuilder text = new StringBuilder(RowFilter.describe(query, where, groupBy));
    text.append(", ε ").append(query.epsilon());
    if (query.delta() > 0) {
      text.append(", δ ").append(query.delta());
    }
    return text.toString();
  }
}
