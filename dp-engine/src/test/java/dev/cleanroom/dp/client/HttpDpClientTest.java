package dev.cleanroom.dp.client;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.Mechanisms;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.service.ServiceFixture;
import dev.cleanroom.dp.testing.InsuranceData;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HttpDpClient against a real DP query service: the same contract as EngineDpClient, over HTTP. */
class HttpDpClientTest {
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

  private static DpClientException refusal(int status, String code, Runnable call) {
    DpClientException e = assertThrows(DpClientException.class, call::run);
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(status, e.httpStatus());
    return e;
  }

  @Test
  void datasetsAreWhatTheEngineShowsTheSameScientist() throws Exception {
    List<ProvisionedDataset> datasets = List.of(
        ProvisionedDataset.open(dir.resolve("views/insurance"), InsuranceData.CSV),
        ProvisionedDataset.open(dir.resolve("views/private-insurance"),
            ServiceFixture.data(dir, ServiceFixture.privateInsurance())));
    for (String user : List.of("alice", "bob")) {
      assertEquals(new EngineDpClient(Caller.scientist(user), service.ledger(), datasets).datasets(), service.client(user).datasets(), user);
    }
    assertEquals(List.of("insurance"), service.client("alice").datasets().stream().map(DatasetInfo::name).toList());
  }

  @Test
  void everyQueryTypeComesBackTypedWithItsCharge() {
    DpClient alice = service.client("alice");
    ChargedAnswer<Long> count = alice.query("insurance", DpQuery.count(0.2));
    ChargedAnswer<Double> sum = alice.query("insurance", DpQuery.sum("bmi", 0.2));
    ChargedAnswer<Double> mean = alice.query("insurance", new DpQuery.Mean("charges", 0.2, 1e-7));
    ChargedAnswer<Map<String, Long>> histogram = alice.query("insurance", DpQuery.histogram("region", 0.2));
    ChargedAnswer<Double> median = alice.query("insurance", DpQuery.median("age", 0.2));

    assertAll(
        () -> assertTrue(Math.abs(count.answer().value() - 1338) < 100, "count " + count),
        () -> assertTrue(sum.answer().value() > 0, "sum " + sum),
        () -> assertEquals("gaussian", mean.answer().mechanism()),
        () -> assertTrue(mean.answer().cost().delta() > 0 && mean.answer().cost().delta() <= 1e-7, mean.toString()),
        () -> assertEquals(java.util.Set.of("northeast", "northwest", "southeast", "southwest", Mechanisms.OTHER),
            histogram.answer().value().keySet()),
        () -> assertTrue(median.answer().value() >= 18 && median.answer().value() <= 65, "median " + median),
        () -> assertEquals("exponential", median.answer().mechanism()),
        () -> assertEquals(alice.budget("insurance").remaining(), median.remaining()));
  }

  @Test
  void filteredAndGroupedQueriesComeBackAsTheEngineAnswersThem() {
    DpClient alice = service.client("alice");
    ChargedAnswer<Long> smokers = alice.query("insurance", DpQuery.count(1), Map.of("smoker", "yes"));
    GroupedAnswer<Map<String, Long>> sexBySmoker = alice.queryByGroup(
        "insurance", DpQuery.histogram("sex", 0.5), Map.of("region", "southeast"), "smoker");

    assertAll(
        () -> assertTrue(Math.abs(smokers.answer().value() - 274) < 40, "smokers " + smokers),
        () -> assertEquals("smoker", sexBySmoker.column()),
        () -> assertEquals(List.of("yes", "no"), List.copyOf(sexBySmoker.groups().keySet())),
        () -> assertEquals(java.util.Set.of("female", "male", Mechanisms.OTHER),
            sexBySmoker.groups().get("no").value().keySet()),
        () -> assertEquals(0.5, sexBySmoker.cost().epsilon(), 1e-9),
        () -> assertEquals(0.5, sexBySmoker.groups().get("yes").cost().epsilon(), 1e-9),
        () -> assertEquals(0.5, sexBySmoker.remaining().epsilon(), 1e-9),
        () -> assertEquals(List.of("count() where smoker=yes", "histogram(sex) where region=southeast group by smoker"),
            service.client("pat").audit("insurance").stream().map(Charge::description).toList()));
    refusal(400, "unknown_category", () -> alice.query("insurance", DpQuery.count(0.1), Map.of("smoker", "maybe")));
    refusal(400, "wrong_column_type", () -> alice.queryByGroup("insurance", DpQuery.count(0.1), Map.of(), "age"));
  }

  @Test
  void theBudgetShowsWhatWasSpent() {
    DpClient alice = service.client("alice");
    alice.query("insurance", DpQuery.count(0.5));

    BudgetStatus budget = alice.budget("insurance");

    assertEquals(new BudgetStatus("insurance", new PrivacyCost(2, 1e-6), PrivacyCost.pure(0.5),
        new PrivacyCost(1.5, 1e-6)), budget);
  }

  @Test
  void viewsComeAsTheProvisionedCsv() throws Exception {
    assertEquals(Files.readString(dir.resolve("views/insurance/mock.csv")), service.client("alice").view("insurance", "mock"));
    assertEquals(Files.readString(dir.resolve("views/insurance/synthetic.csv")),
        service.client("alice").view("insurance", "synthetic"));
  }

  @Test
  void theProviderAuditsWhoAskedWhatAndWhen() {
    ChargedAnswer<Double> mean = service.client("alice").query("insurance", DpQuery.mean("charges", 0.1));
    ChargedAnswer<Long> count = service.client("bob").query("insurance", DpQuery.count(0.3));

    List<Charge> audit = (service.client("pat")).audit("insurance");

    assertEquals(List.of(mean.queryId(), count.queryId()), audit.stream().map(Charge::queryId).toList());
    Charge first = audit.get(0);
    assertAll(
        () -> assertEquals("alice", first.scientist()),
        () -> assertEquals("mean(charges)", first.description()),
        // The ledger rounds a charge up to 10⁻¹² ε.
        () -> assertEquals(mean.answer().cost().epsilon(), first.cost().epsilon(), 1e-12),
        () -> assertEquals("bob", audit.get(1).scientist()),
        () -> assertTrue(!first.chargedAt().isAfter(audit.get(1).chargedAt())));
  }

  @Test
  void refusalsKeepTheServicesCodeStatusAndRemainingBudget() {
    DpClient alice = service.client("alice");
    alice.query("insurance", DpQuery.count(1));
    alice.query("insurance", DpQuery.count(0.9));

    DpClientException overBudget = refusal(429, "budget_exhausted", () -> alice.query("insurance", DpQuery.count(0.5)));

    assertEquals(0.1, overBudget.remaining().orElseThrow().epsilon(), 1e-9);
    assertTrue(overBudget.getMessage().contains("0.1"), overBudget.getMessage());
    refusal(400, "unknown_column", () -> alice.query("insurance", DpQuery.mean("salary", 0.01)));
    refusal(403, "not_permitted", () -> alice.budget("private-insurance"));
    refusal(404, "unknown_dataset", () -> alice.budget("nope"));
    refusal(404, "view_not_available", () -> alice.view("insurance", "real"));
    refusal(403, "not_permitted", () -> service.client("alice").audit("insurance"));
    refusal(401, "unauthorized", () -> HttpDpClient.create(service.base(), "a-token-nobody-has-0000").datasets());
  }

  @Test
  void anUnreachableServiceIsAFailureWithoutStatus() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    DpClient client = HttpDpClient.create(URI.create("http://127.0.0.1:" + freePort), "some-token-0123456789");

    DpClientException e = refusal(0, "service_unavailable", () -> client.query("insurance", DpQuery.count(0.1)));

    assertTrue(e.getMessage().contains("127.0.0.1:" + freePort), e.getMessage());
  }
}
