package dev.cleanroom.dp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.testing.InsuranceData;
import dev.cleanroom.dp.testing.PatientsWithGaps;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyFileTest {
  private static final String MINIMAL = """
      dataset: people
      owner: pat
      columns:
        age: {type: integer, lower: 18, upper: 65}
      budget:
        per_scientist: {epsilon: 1}
        per_query: {epsilon: 0.5}
      """;

  private static PolicyException problemsOf(String yaml) {
    return assertThrows(PolicyException.class, () -> PolicyFile.parse(yaml, "policy.yaml"));
  }

  @Test
  void theInsurancePolicyInTheRepositoryLoads() {
    DatasetPolicy policy = InsuranceData.policy();
    assertEquals("insurance", policy.dataset());
    assertEquals("pat", policy.owner());
    assertEquals(Set.of(View.DP_QUERY, View.SYNTHETIC, View.MOCK), policy.views());
    assertEquals(new ColumnPolicy.Numeric("age", 18, 65, true), policy.column("age").orElseThrow());
    assertEquals(new ColumnPolicy.Categorical("smoker", List.of("yes", "no")), policy.column("smoker").orElseThrow());
    assertEquals(new PrivacyCost(2, 1e-6), policy.budgetPerScientist());
    assertEquals(new PrivacyCost(1, 1e-6), policy.syntheticCost());
    assertTrue(policy.outputsNeedRelease());
    assertTrue(policy.admits("anyone"));
  }

  @Test
  void aMinimalPolicyGetsSafeDefaults() {
    DatasetPolicy policy = PolicyFile.parse(MINIMAL, "policy.yaml");
    assertEquals(Set.of(View.DP_QUERY, View.MOCK), policy.views(), "synthetic spends ε, so it is opt-in");
    assertEquals(InvalidValues.CLAMP, policy.invalidValues());
    assertTrue(policy.outputsNeedRelease());
    assertFalse(policy.refusesHiddenCode(), "hidden code is flagged for the reviewer, not refused, unless asked");
    assertEquals(0.001, policy.minEpsilonPerQuery());
  }

  @Test
  void aProviderMayRefuseNotebooksWithHiddenCode_andTheWrittenPolicySaysSo() {
    DatasetPolicy policy = PolicyFile.parse(MINIMAL + "notebooks: {hidden_code: refuse}\n", "policy.yaml");
    assertTrue(policy.refusesHiddenCode());
    assertEquals(policy, PolicyFile.parse(PolicyFile.toYaml(policy), "round trip"));
    assertFalse(PolicyFile.parse(MINIMAL + "notebooks: {hidden_code: flag}\n", "policy.yaml").refusesHiddenCode());
    assertEquals(List.of("notebooks.hidden_code: must be flag or refuse (got 'allow')"),
        problemsOf(MINIMAL + "notebooks: {hidden_code: allow}\n").problems());
    assertFalse(PolicyFile.toYaml(InsuranceData.policy()).contains("notebooks"),
        "a policy without the option is written as before, byte for byte");
  }

  @Test
  void outputChecksAndTwoPersonRelease_areReadAndWrittenBack() {
    DatasetPolicy policy = PolicyFile.parse(MINIMAL + """
        outputs:
          release: required
          approvers: 2
          reviewers: [quinn]
          checks: {min_cell_count: 10, small_counts: suppress, round_counts_to: 5, max_rows: 100,
                   count_columns: [n], file_types: [csv, png, notebook]}
        """, "policy.yaml");
    OutputRules rules = policy.outputRules();
    assertEquals(2, rules.approvers());
    assertEquals(List.of("quinn"), rules.reviewers());
    assertEquals(10, rules.minCellCount().getAsInt());
    assertEquals(OutputRules.SmallCounts.SUPPRESS, rules.smallCounts());
    assertEquals(5, rules.roundCountsTo());
    assertEquals(100, rules.maxRows().getAsInt());
    assertEquals(List.of("n"), rules.countColumns());
    assertEquals(Set.of(OutputRules.FileType.CSV, OutputRules.FileType.PNG, OutputRules.FileType.NOTEBOOK), rules.fileTypes());
    assertEquals(policy, PolicyFile.parse(PolicyFile.toYaml(policy), "round trip"));
    assertEquals(OutputRules.NONE, PolicyFile.parse(MINIMAL, "policy.yaml").outputRules());
  }

  @Test
  void outputRulesThatCannotHold_areRefusedWithWhatToWrite() {
    assertEquals(List.of("outputs: outputs.approvers must be between 1 and the number of people who may release (the owner"
        + " and 0 reviewer(s)), got 2; name more reviewers"), problemsOf(MINIMAL + "outputs: {approvers: 2}\n").problems());
    assertEquals(List.of("outputs.checks.small_counts: must be flag or suppress (got 'hide')",
        "outputs.checks.file_types: 'exe' is not a file type; known: text, csv, json, png, notebook"),
        problemsOf(MINIMAL + "outputs: {checks: {small_counts: hide, file_types: [exe]}}\n").problems());
    assertEquals(List.of("outputs.checks.min_cell_count: must be a positive whole number (got '0')"),
        problemsOf(MINIMAL + "outputs: {checks: {min_cell_count: 0}}\n").problems());
    PolicyException automatic = problemsOf(MINIMAL + "outputs: {release: automatic, approvers: 2, reviewers: [quinn]}\n");
    assertTrue(automatic.getMessage().contains("write release: required"), automatic.getMessage());
  }

  @Test
  void aProviderMayRestrictANotebooksOwnLibraries_toGroupsOrToNone() {
    DatasetPolicy groups = PolicyFile.parse(MINIMAL + "notebooks: {libraries: [org.apache.commons]}\n", "policy.yaml");
    assertTrue(groups.allowsLibraryGroup("org.apache.commons"));
    assertTrue(groups.allowsLibraryGroup("org.apache.commons.geometry"), "a group allows its sub-groups");
    assertFalse(groups.allowsLibraryGroup("org.apache.commonsx"));
    assertFalse(groups.allowsLibraryGroup("org.example"));
    assertEquals(groups, PolicyFile.parse(PolicyFile.toYaml(groups), "round trip"));
    DatasetPolicy none = PolicyFile.parse(MINIMAL + "notebooks: {hidden_code: refuse, libraries: none}\n", "policy.yaml");
    assertFalse(none.allowsLibraryGroup("org.apache.commons"));
    assertEquals(none, PolicyFile.parse(PolicyFile.toYaml(none), "round trip"));
    assertTrue(PolicyFile.parse(MINIMAL + "notebooks: {libraries: any}\n", "policy.yaml").allowsLibraryGroup("org.example"));
    assertTrue(InsuranceData.policy().allowsLibraryGroup("org.example"), "unset: any library");
    assertEquals(List.of("notebooks.libraries: must be any, none, or a list of Maven group ids such as [org.apache.commons]"),
        problemsOf(MINIMAL + "notebooks: {libraries: all}\n").problems());
  }

  @Test
  void theLeastEpsilonPerQuery_isReadAndMayNotExceedThePerQueryCap() {
    String withMinimum = MINIMAL.replace("per_query: {epsilon: 0.5}", "per_query: {epsilon: 0.5}\n  min_epsilon_per_query: 0.01");
    assertEquals(0.01, PolicyFile.parse(withMinimum, "policy.yaml").minEpsilonPerQuery());
    PolicyException e = problemsOf(withMinimum.replace("0.01", "0.6"));
    assertTrue(e.getMessage().contains("least ε per query"), e.getMessage());
  }

  @Test
  void writingAndReadingAPolicyGivesItBack() {
    DatasetPolicy policy = InsuranceData.policy();
    assertEquals(policy, PolicyFile.parse(PolicyFile.toYaml(policy), "round trip"));
  }

  @Test
  void everyProblemIsReportedAtOnceWithItsField() {
    PolicyException e = problemsOf("""
        owner: pat
        columns:
          age: {type: integer, lower: 70, upper: 65}
          smoker: {type: categorical, categories: [yes, no]}
          ssn: {type: secret}
        budget:
          per_scientist: {epsilon: -1}
          per_query: {epsilon: 0.5, delta: 2}
        invalid_values: ignore
        colour: blue
        """);
    List<String> problems = e.problems();
    assertTrue(problems.contains("dataset: is missing; write the dataset's name, e.g. dataset: insurance"), problems.toString());
    assertTrue(problems.contains("columns.age: lower (70.0) must be below upper (65.0)"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("columns.smoker.categories: YAML reads bare yes/no")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("columns.ssn.type: must be one of")), problems.toString());
    assertTrue(problems.contains("budget.per_scientist.epsilon: must be a positive number (got -1.0)"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("budget.per_query.delta: must be in [0, 1)")), problems.toString());
    assertTrue(problems.contains("invalid_values: must be clamp or reject (got 'ignore')"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("colour: is not a policy field")), problems.toString());
    assertTrue(e.getMessage().startsWith("policy.yaml is not a valid policy:"), e.getMessage());
  }

  @Test
  void unknownViewsAreNamed() {
    PolicyException e = problemsOf(MINIMAL + "views: [dp-query, raw]\n");
    assertEquals(List.of("views: unknown view 'raw'; use dp-query, synthetic or mock"), e.problems());
  }

  @Test
  void aCapAboveTheBudgetIsRefused() {
    PolicyException e = problemsOf(MINIMAL.replace("per_query: {epsilon: 0.5}", "per_query: {epsilon: 5}"));
    assertTrue(e.problems().get(0).contains("per-query cap"), e.problems().toString());
  }

  @Test
  void brokenYamlIsReportedAsSuch() {
    PolicyException e = problemsOf("dataset: [unclosed\n");
    assertTrue(e.problems().get(0).startsWith("not valid YAML"), e.problems().toString());
  }

  @Test
  void excludedColumnsAreNotVisible() {
    DatasetPolicy policy = PolicyFile.parse(MINIMAL.replace("columns:\n", "columns:\n  ssn: {type: excluded}\n"), "p");
    assertEquals(List.of("age"), policy.visibleColumns().stream().map(ColumnPolicy::name).toList());
    assertFalse(policy.columnNames().contains("ssn"));
  }

  @Test
  void scientistsRestrictWhoMayUseTheDataset() {
    DatasetPolicy policy = PolicyFile.parse(MINIMAL + "scientists: [alice]\n", "p");
    assertTrue(policy.admits("alice"));
    assertFalse(policy.admits("mallory"));
  }

  @Test
  void missingValuesAndTheSourceFormat_areReadAndWrittenBack() {
    DatasetPolicy policy = PatientsWithGaps.policy();
    assertEquals(MissingValues.skipped(), policy.column("age").orElseThrow().missing());
    assertEquals(MissingValues.imputedAs(25).withMockRate(0.2), policy.column("bmi").orElseThrow().missing());
    assertEquals(MissingValues.skipped().withMockRate(0.3), policy.column("region").orElseThrow().missing());
    assertEquals(SourceFormat.DEFAULT, policy.source());
    assertEquals(policy, PolicyFile.parse(PolicyFile.toYaml(policy), "round trip"));

    DatasetPolicy semicolons = PolicyFile.parse(MINIMAL
        + "source: {separator: ';', encoding: ISO-8859-1, missing_markers: ['-', '?']}\n", "policy.yaml");
    assertEquals(new SourceFormat(';', StandardCharsets.ISO_8859_1, List.of("-", "?")), semicolons.source());
    assertEquals(semicolons, PolicyFile.parse(PolicyFile.toYaml(semicolons), "round trip"));
    assertFalse(PolicyFile.toYaml(InsuranceData.policy()).contains("source"),
        "a policy with the default format keeps the bytes it had before the field existed");
  }

  @Test
  void missingValuesThatCannotBe_areProblemsWithTheirField() {
    PolicyException e = problemsOf(MINIMAL.replace("upper: 65}", "upper: 65, missing: {impute: 99}}")
        + "source: {separator: ';;', encoding: klingon}\n");
    assertTrue(e.getMessage().contains("imputes 99.0 for missing values, outside its bounds"), e.getMessage());
    assertTrue(e.getMessage().contains("source.separator"), e.getMessage());
    assertTrue(e.getMessage().contains("source.encoding"), e.getMessage());
    PolicyException categorical = problemsOf(MINIMAL.replace("age: {type: integer, lower: 18, upper: 65}",
        "smoker: {type: categorical, categories: [yes], missing: {impute: 1}}"));
    assertTrue(categorical.getMessage().contains("columns.smoker.missing.impute"), categorical.getMessage());
  }
}
