package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cleanroom.dp.testing.InsuranceData;
import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.Charge;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DP query service over real HTTP: what it answers, what it refuses and why, and what it charges. */
class DpQueryServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUERIES = "v1/datasets/insurance/queries";

  @TempDir Path dir;
  private ServiceFixture service;

  @BeforeEach
  void start() throws Exception {
    service = ServiceFixture.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    service.close();
  }

  private static JsonNode refusal(HttpResponse<String> response, int status, String code) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode body = JSON.readTree(response.body());
    assertEquals(code, body.path("code").asText(), response.body());
    assertFalse(body.path("message").asText().isBlank(), "a refusal says why: " + response.body());
    return body;
  }

  private List<Charge> charges(String dataset) {
    return service.ledger().charges(InsuranceData.BUDGET_KEY).stream().filter(c -> c.dataset().equals(dataset)).toList();
  }

  @Test
  void aQueryIsAnsweredWithItsCostAndTheBudgetLeft() throws Exception {
    HttpResponse<String> response =
        service.post("alice", QUERIES, "{\"type\":\"mean\",\"column\":\"charges\",\"epsilon\":0.1,\"delta\":0}");

    assertEquals(200, response.statusCode(), response.body());
    JsonNode answer = JSON.readTree(response.body());
    assertAll(
        () -> assertTrue(answer.path("answer").isNumber()),
        () -> assertEquals(0.1, answer.path("cost").path("epsilon").asDouble(), 1e-9),
        () -> assertEquals(1.9, answer.path("remaining").path("epsilon").asDouble(), 1e-9),
        () -> assertEquals("laplace", answer.path("mechanism").asText()),
        () -> assertTrue(answer.path("noiseScale").asDouble() > 0),
        () -> assertEquals(List.of(answer.path("queryId").asText()),
            charges("insurance").stream().map(Charge::queryId).toList()));
  }

  @Test
  void anUnknownOrMissingTokenIs401() throws Exception {
    HttpResponse<String> unknown = service.send("GET", "v1/datasets", "not-a-token-of-anyone", "application/json",
        HttpRequest.BodyPublishers.noBody());
    refusal(unknown, 401, "unauthorized");
    assertEquals("Bearer", unknown.headers().firstValue("WWW-Authenticate").orElseThrow());
    refusal(service.get(null, "v1/datasets"), 401, "unauthorized");
    refusal(service.send("POST", QUERIES, "not-a-token-of-anyone", "application/json",
        HttpRequest.BodyPublishers.ofString("{\"type\":\"count\",\"epsilon\":0.1}")), 401, "unauthorized");
    assertEquals(List.of(), charges("insurance"));
  }

  @Test
  void healthAndTheContractNeedNoToken() throws Exception {
    HttpResponse<String> health = service.get(null, "health");
    assertEquals(200, health.statusCode());
    assertEquals("ok", JSON.readTree(health.body()).path("status").asText());
    HttpResponse<String> contract = service.get(null, "openapi.yaml");
    assertEquals(200, contract.statusCode());
    assertTrue(contract.body().startsWith("openapi: 3.1.0"), contract.body());
  }

  @Test
  void anotherProvidersAuditIs403() throws Exception {
    refusal(service.get("pat", "v1/datasets/private-insurance/audit"), 403, "not_permitted");
    refusal(service.get("alice", "v1/datasets/insurance/audit"), 403, "not_permitted");
    assertEquals(200, service.get("quinn", "v1/datasets/private-insurance/audit").statusCode());
  }

  @Test
  void aScientistNotInThePolicyIs403() throws Exception {
    JsonNode body = refusal(service.post("alice", "v1/datasets/private-insurance/queries",
        "{\"type\":\"count\",\"epsilon\":0.1}"), 403, "not_permitted");
    assertTrue(body.path("message").asText().contains("quinn"), "names the provider to ask: " + body);
    refusal(service.get("alice", "v1/datasets/private-insurance/budget"), 403, "not_permitted");
    refusal(service.get("alice", "v1/datasets/private-insurance/views/mock"), 403, "not_permitted");
    assertEquals(List.of(), charges("private-insurance"));
  }

  @Test
  void overBudgetIs429WithWhatIsLeftAndChargesNothing() throws Exception {
    assertEquals(200, service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":1}").statusCode());
    assertEquals(200, service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.75}").statusCode());

    JsonNode body = refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.5}"), 429,
        "budget_exhausted");

    assertEquals(0.25, body.path("remaining").path("epsilon").asDouble(), 1e-9);
    assertEquals(2, charges("insurance").size());
  }

  @Test
  void malformedJsonIs400WithAReason() throws Exception {
    JsonNode body = refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":"), 400, "invalid_request");
    assertTrue(body.path("message").asText().toLowerCase().contains("json"), body.toString());
  }

  @Test
  void aHugeBodyIs413() throws Exception {
    String huge = "{\"type\":\"count\",\"epsilon\":0.1,\"where\":{\"region\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}}";
    refusal(service.post("alice", QUERIES, huge), 413, "body_too_large");
  }

  @Test
  void anUnknownColumnIs400NamingTheColumns() throws Exception {
    JsonNode body = refusal(service.post("alice", QUERIES, "{\"type\":\"mean\",\"column\":\"salary\",\"epsilon\":0.1}"),
        400, "unknown_column");
    assertTrue(body.path("message").asText().contains("charges"), body.toString());
  }

  @Test
  void aNegativeOrMissingEpsilonIs400() throws Exception {
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":-0.1}"), 400, "invalid_epsilon");
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\"}"), 400, "invalid_request");
    JsonNode notANumber = refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":\"lots\"}"), 400,
        "invalid_request");
    assertTrue(notANumber.path("message").asText().contains("'epsilon' must be a number"), notANumber.toString());
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":1.5}"), 400, "over_query_cap");
  }

  @Test
  void requestsOutsideTheContractAre400WithTheFieldToFix() throws Exception {
    JsonNode unknownType = refusal(service.post("alice", QUERIES, "{\"type\":\"median\",\"column\":\"bmi\",\"epsilon\":0.1}"),
        400, "invalid_request");
    assertTrue(unknownType.path("message").asText().contains("unknown query type 'median'; use one of count, sum"),
        unknownType.toString());
    JsonNode unknownField = refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.1,\"rows\":true}"),
        400, "invalid_request");
    assertTrue(unknownField.path("message").asText().contains("rows"), unknownField.toString());
    JsonNode notJson = refusal(service.send("POST", QUERIES, ServiceFixture.TOKENS.get("alice"), "text/plain",
        HttpRequest.BodyPublishers.ofString("{\"type\":\"count\",\"epsilon\":0.1}")), 400, "invalid_request");
    assertTrue(notJson.path("message").asText().contains("application/json"), notJson.toString());
    refusal(service.post("alice", QUERIES, "[1,2,3]"), 400, "invalid_request");
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"column\":\"age\",\"epsilon\":0.1}"), 400,
        "invalid_request");
    refusal(service.post("alice", QUERIES, "{\"type\":\"quantile\",\"column\":\"age\",\"epsilon\":0.1,\"delta\":1e-7}"),
        400, "invalid_request");
  }

  @Test
  void unknownEndpointsAndDatasetsAre404() throws Exception {
    refusal(service.get("alice", "v1/nothing-here"), 404, "not_found");
    refusal(service.get("alice", "v1/datasets/nope/budget"), 404, "unknown_dataset");
    refusal(service.get("alice", "v1/datasets/insurance/views/real"), 404, "view_not_available");
  }

  @Test
  void viewsComeAsCsv() throws Exception {
    HttpResponse<String> mock = service.get("alice", "v1/datasets/insurance/views/mock");
    assertEquals(200, mock.statusCode());
    assertTrue(mock.headers().firstValue("Content-Type").orElseThrow().startsWith("text/csv"));
    assertTrue(mock.body().startsWith("age,sex,bmi,children,smoker,region,charges\n"), mock.body());
    assertEquals(51, mock.body().lines().count());
  }

  @Test
  void aFilterOnADeclaredCategoryCostsWhatTheQueryCosts() throws Exception {
    HttpResponse<String> smokers = service.post("alice", QUERIES,
        "{\"type\":\"count\",\"epsilon\":0.5,\"where\":{\"smoker\":\"yes\"}}");
    HttpResponse<String> everyone = service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.5}");

    assertEquals(200, smokers.statusCode(), smokers.body());
    long smokerCount = JSON.readTree(smokers.body()).path("answer").asLong();
    long allCount = JSON.readTree(everyone.body()).path("answer").asLong();
    // 274 of the 1,338 rows are smokers; Laplace noise at ε 0.5 has scale 2, so ±60 is never reached.
    assertTrue(Math.abs(smokerCount - 274) < 60 && Math.abs(allCount - 1338) < 60, smokerCount + " / " + allCount);
    assertEquals(0.5, JSON.readTree(smokers.body()).path("cost").path("epsilon").asDouble(), 1e-9);
    assertEquals(1.0, service.ledger().spent("alice", InsuranceData.BUDGET_KEY).epsilon(), 1e-9);
  }

  @Test
  void aFilterThatIsNotADeclaredCategoryIs400() throws Exception {
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.1,\"where\":{\"smoker\":\"sometimes\"}}"),
        400, "unknown_category");
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.1,\"where\":{\"age\":\"40\"}}"),
        400, "wrong_column_type");
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.1,\"where\":{\"salary\":\"high\"}}"),
        400, "unknown_column");
    refusal(service.post("alice", "v1/datasets/private-insurance/queries",
        "{\"type\":\"count\",\"epsilon\":0.1,\"where\":{\"salary\":\"high\"}}"), 403, "not_permitted");
    assertEquals(List.of(), charges("insurance"));
  }

  @Test
  void aGroupByAnswersEachCategoryUnderOneChargeOfOneGroupsCost() throws Exception {
    HttpResponse<String> response = service.post("alice", QUERIES,
        "{\"type\":\"mean\",\"column\":\"charges\",\"epsilon\":0.25,\"groupBy\":\"region\"}");

    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    List<String> groups = new ArrayList<>();
    body.path("groups").fieldNames().forEachRemaining(groups::add);
    assertEquals(List.of("northeast", "northwest", "southeast", "southwest"), groups);
    assertTrue(body.path("groups").path("southeast").path("answer").isNumber(), body.toString());
    assertEquals("laplace", body.path("groups").path("southeast").path("mechanism").asText(), body.toString());
    assertEquals(0.25, body.path("cost").path("epsilon").asDouble(), 1e-9);
    assertEquals(1.75, body.path("remaining").path("epsilon").asDouble(), 1e-9);
    List<Charge> charges = charges("insurance");
    assertEquals(1, charges.size());
    assertEquals(body.path("queryId").asText(), charges.get(0).queryId());
    assertEquals("mean(charges) group by region", charges.get(0).description());
  }

  @Test
  void aGroupByThatDoesNotFitIs429AndChargesNothing() throws Exception {
    service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":1}");
    service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.9}");
    JsonNode body = refusal(service.post("alice", QUERIES,
        "{\"type\":\"count\",\"epsilon\":0.2,\"groupBy\":\"region\"}"), 429, "budget_exhausted");
    assertEquals(0.1, body.path("remaining").path("epsilon").asDouble(), 1e-9);
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.1,\"groupBy\":\"charges\"}"), 400,
        "wrong_column_type");
    refusal(service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":1.5,\"groupBy\":\"region\"}"), 400,
        "over_query_cap");
    refusal(service.post("alice", QUERIES,
        "{\"type\":\"count\",\"epsilon\":0.1,\"groupBy\":\"region\",\"where\":{\"region\":\"northeast\"}}"), 400,
        "invalid_request");
    assertEquals(2, charges("insurance").size());
  }

  @Test
  void noRefusalChargesTheBudget() throws Exception {
    service.send("GET", "v1/datasets", "not-a-token-of-anyone", "application/json", HttpRequest.BodyPublishers.noBody());
    service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":");
    service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.1,\"pad\":\"" + "x".repeat(100_000) + "\"}");
    service.post("alice", QUERIES, "{\"type\":\"mean\",\"column\":\"salary\",\"epsilon\":0.1}");
    service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":-1}");
    service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":1.5}");
    service.post("alice", QUERIES, "{\"type\":\"count\",\"epsilon\":0.9,\"groupBy\":\"region\",\"where\":{\"smoker\":\"maybe\"}}");
    service.post("alice", "v1/datasets/private-insurance/queries", "{\"type\":\"count\",\"epsilon\":0.1}");
    service.get("pat", "v1/datasets/private-insurance/audit");

    assertEquals(List.of(), charges("insurance"));
    assertEquals(List.of(), charges("private-insurance"));
    assertEquals(PrivacyCost.ZERO, service.ledger().spent("alice", InsuranceData.BUDGET_KEY));
  }

  @Test
  void everyRequestHasOneAccessLogLineWithoutTheToken() throws Exception {
    service.post("alice", QUERIES, "{\"type\":\"mean\",\"column\":\"charges\",\"epsilon\":0.1,\"where\":{\"smoker\":\"no\"}}");
    service.send("GET", "v1/datasets", "not-a-token-of-anyone", "application/json", HttpRequest.BodyPublishers.noBody());
    service.get("pat", "v1/datasets/insurance/audit");

    List<String> lines = awaitAccessLines(3);
    assertTrue(lines.get(0).matches("access user=alice method=POST path=/v1/datasets/insurance/queries dataset=insurance"
        + " query=\"mean\\(charges\\) where smoker=no, ε 0.1\" status=200 ms=\\d+"), lines.get(0));
    assertTrue(lines.get(1).contains("user=- ") && lines.get(1).contains("status=401 code=unauthorized"), lines.get(1));
    assertTrue(lines.get(2).startsWith("access user=pat method=GET") && lines.get(2).contains("status=200"));
    Set<String> tokens = Set.copyOf(ServiceFixture.TOKENS.values());
    assertTrue(lines.stream().noneMatch(line -> tokens.stream().anyMatch(line::contains) || line.contains("not-a-token")),
        String.join("\n", lines));
  }

  /** Access lines are written when a response ends, which a client may see a moment before. */
  private List<String> awaitAccessLines(int count) throws InterruptedException {
    for (int i = 0; i < 500 && service.accessLog().size() < count; i++) {
      Thread.sleep(20);
    }
    assertEquals(count, service.accessLog().size(), String.join("\n", service.accessLog()));
    return service.accessLog();
  }
}
