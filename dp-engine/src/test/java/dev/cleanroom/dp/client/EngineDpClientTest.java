package dev.cleanroom.dp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.policy.View;
import dev.cleanroom.dp.provision.MockData;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.testing.InsuranceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineDpClientTest {
  @TempDir Path dir;
  private PrivacyLedger ledger;
  private List<ProvisionedDataset> datasets;

  /** A provisioned folder for {@code policy}: its policy.yaml and a mock view. */
  private ProvisionedDataset provisioned(DatasetPolicy policy) throws IOException {
    Path views = Files.createDirectories(dir.resolve(policy.dataset()));
    Files.writeString(views.resolve("policy.yaml"), PolicyFile.toYaml(policy));
    MockData.generate(policy, 20).write(views.resolve("mock.csv"));
    return ProvisionedDataset.open(views, InsuranceData.CSV);
  }

  private static DatasetPolicy renamed(String name, List<String> scientists, EnumSet<View> views) {
    DatasetPolicy p = InsuranceData.policy();
    return new DatasetPolicy(name, p.owner(), p.description(), scientists, views, p.columns(),
        p.budgetPerScientist(), p.maxPerQuery(), p.datasetTotal(), p.syntheticCost(), p.invalidValues(),
        p.outputsNeedRelease(), p.refusesHiddenCode(), java.util.Optional.empty(), p.minEpsilonPerQuery(),
        p.outputRules(), p.allowedLibraryGroups(), p.source());
  }

  @BeforeEach
  void provision() throws IOException {
    ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"));
    datasets = List.of(
        provisioned(InsuranceData.policy()),
        provisioned(renamed("private-insurance", List.of("bob"), EnumSet.allOf(View.class))),
        provisioned(renamed("mock-only", List.of(), EnumSet.of(View.MOCK))));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private DpClient client(String scientist) {
    return new EngineDpClient(Caller.scientist(scientist), ledger, datasets);
  }

  private static DpClientException refusal(int status, String code, Runnable call) {
    DpClientException e = assertThrows(DpClientException.class, call::run);
    assertEquals(code, e.code());
    assertEquals(status, e.httpStatus());
    return e;
  }

  @Test
  void aScientistSeesOnlyTheDatasetsTheyMayUse() {
    assertEquals(List.of("insurance", "mock-only"), client("alice").datasets().stream().map(DatasetInfo::name).toList());
    assertEquals(3, client("bob").datasets().size());
  }

  @Test
  void datasetInfoShowsThePublicSchemaAndRules() {
    DatasetInfo info = client("alice").datasets().get(0);
    assertEquals("pat", info.owner());
    assertEquals(List.of("dp-query", "synthetic", "mock"), info.views());
    assertEquals(new PrivacyCost(2, 1e-6), info.budgetPerScientist());
  }

  @Test
  void aQueryIsChargedAndTheBudgetShowsIt() {
    var answer = client("alice").query("insurance", DpQuery.count(0.5));
    BudgetStatus budget = client("alice").budget("insurance");
    assertEquals(answer.remaining(), budget.remaining());
    assertEquals(0.5, budget.spent().epsilon(), 1e-9);
    assertEquals(new PrivacyCost(2, 1e-6), budget.budget());
  }

  @Test
  void overTheBudgetIs429WithWhatIsLeft() {
    client("alice").query("insurance", DpQuery.count(1));
    client("alice").query("insurance", DpQuery.count(0.9));
    DpClientException e = refusal(429, "budget_exhausted", () -> client("alice").query("insurance", DpQuery.count(0.5)));
    assertEquals(0.1, e.remaining().orElseThrow().epsilon(), 1e-9);
  }

  @Test
  void badQueriesAre400AndChargeNothing() {
    refusal(400, "unknown_column", () -> client("alice").query("insurance", DpQuery.mean("salary", 0.1)));
    refusal(400, "invalid_epsilon", () -> client("alice").query("insurance", DpQuery.count(-1)));
    refusal(400, "over_query_cap", () -> client("alice").query("insurance", DpQuery.count(1.5)));
    assertEquals(PrivacyCost.ZERO, client("alice").budget("insurance").spent());
  }

  @Test
  void aDatasetTheScientistMayNotUseIs403() {
    DpClientException e = refusal(403, "not_permitted", () -> client("alice").query("private-insurance", DpQuery.count(0.1)));
    assertTrue(e.getMessage().contains("ask its provider (pat)"), e.getMessage());
    refusal(403, "not_permitted", () -> client("alice").view("private-insurance", "mock"));
  }

  @Test
  void anUnknownDatasetIs404() {
    refusal(404, "unknown_dataset", () -> client("alice").budget("nope"));
  }

  @Test
  void dpQueriesOnADatasetWithoutTheDpViewAre403() {
    refusal(403, "view_not_available", () -> client("alice").query("mock-only", DpQuery.count(0.1)));
  }

  @Test
  void viewsComeAsCsvWhenTurnedOn() {
    String mock = client("alice").view("insurance", "mock");
    assertTrue(mock.startsWith("age,sex,bmi,children,smoker,region,charges\n"), mock);
    refusal(404, "view_not_available", () -> client("alice").view("insurance", "synthetic")); // on, but not made
    refusal(404, "view_not_available", () -> client("alice").view("insurance", "real"));
    refusal(404, "view_not_available", () -> client("alice").view("mock-only", "synthetic"));
  }

  private DatasetPolicy withTotal(String name, PrivacyCost perScientist, PrivacyCost total) {
    DatasetPolicy p = InsuranceData.policy();
    return new DatasetPolicy(name, p.owner(), p.description(), List.of(), EnumSet.of(View.DP_QUERY, View.MOCK),
        p.columns(), perScientist, new PrivacyCost(1, 0), total, p.syntheticCost(), p.invalidValues(),
        p.outputsNeedRelease(), p.refusesHiddenCode(), java.util.Optional.empty(), p.minEpsilonPerQuery(),
        p.outputRules(), p.allowedLibraryGroups(), p.source());
  }

  /**
   * Attack (issue 15, 4): {@code scientists: []} admitted every user with a full budget of their own, so alice
   * and audrey (an auditor) together spent ε 4 where the policy said ε 2. Only scientists query, and all users
   * together stay within the dataset's total.
   */
  @Test
  void aliceAndAudreyTogetherCannotSpendMoreThanTheDatasetsTotal() throws IOException {
    List<ProvisionedDataset> served = List.of(provisioned(withTotal("shared", PrivacyCost.pure(2), PrivacyCost.pure(2))));
    DpClient alice = new EngineDpClient(Caller.scientist("alice"), ledger, served);
    DpClient audrey = new EngineDpClient(new Caller("audrey", false), ledger, served);
    DpClient bob = new EngineDpClient(Caller.scientist("bob"), ledger, served);

    refusal(403, "not_permitted", () -> audrey.query("shared", DpQuery.count(1)));
    alice.query("shared", DpQuery.count(1));
    alice.query("shared", DpQuery.count(1));
    DpClientException bobs = refusal(429, "budget_exhausted", () -> bob.query("shared", DpQuery.count(1)));

    assertTrue(bobs.getMessage().contains("all users together"), bobs.getMessage());
    assertEquals(PrivacyCost.ZERO, bob.budget("shared").remaining());
    assertEquals(2.0, ledger.spentByAll(InsuranceData.BUDGET_KEY).epsilon(), 1e-9);
  }

  /** Attack (issue 15, 4): a provider or an auditor queried like a scientist, each with a budget of their own. */
  @Test
  void aProviderOrAnAuditorCannotQueryOrSeeDatasets() {
    for (Caller user : List.of(new Caller("pat", false), new Caller("audrey", false))) {
      DpClient client = new EngineDpClient(user, ledger, datasets);
      refusal(403, "not_permitted", () -> client.query("insurance", DpQuery.count(0.1)));
      refusal(403, "not_permitted", () -> client.budget("insurance"));
      assertEquals(List.of(), client.datasets());
    }
    assertEquals(List.of(), ledger.charges(InsuranceData.BUDGET_KEY));
  }

  /** Attack (issue 15, 4): serving the same data under a new name restarted every budget. */
  @Test
  void aNewNameForTheSameDataKeepsItsBudget() throws IOException {
    DatasetPolicy policy = withTotal("original", PrivacyCost.pure(1), PrivacyCost.pure(5));
    DpClient alice = new EngineDpClient(Caller.scientist("alice"), ledger,
        List.of(provisioned(policy), provisioned(withTotal("renamed", PrivacyCost.pure(1), PrivacyCost.pure(5)))));
    alice.query("original", DpQuery.count(1));

    refusal(429, "budget_exhausted", () -> alice.query("renamed", DpQuery.count(0.5)));
    assertEquals(PrivacyCost.ZERO, alice.budget("renamed").remaining());
  }
}
