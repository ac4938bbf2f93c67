package dev.cleanroom.dp.testing;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The insurance dataset and its demo policy from the repository's datasets/ folder (tests run in dp-engine/). */
public final class InsuranceData {
  public static final Path DIR = Path.of("../datasets/insurance");
  public static final Path CSV = DIR.resolve("real.csv");
  /** The ledger's key of the insurance data's budget, whatever name it is served under. */
  public static final String BUDGET_KEY = budgetKey();
  public static final Path POLICY = DIR.resolve("policy.yaml");

  private InsuranceData() {}

  public static DatasetPolicy policy() {
    try {
      return PolicyFile.read(POLICY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The demo policy with another budget and per-query cap. */
  public static DatasetPolicy policyWithBudget(PrivacyCost budget, PrivacyCost maxPerQuery) {
    DatasetPolicy demo = policy();
    return new DatasetPolicy(demo.dataset(), demo.owner(), demo.description(), demo.scientists(), demo.views(),
        demo.columns(), budget, maxPerQuery, DatasetPolicy.defaultTotal(budget, demo.views(), demo.syntheticCost()),
        demo.syntheticCost(), demo.invalidValues(), demo.outputsNeedRelease(), demo.refusesHiddenCode(),
        java.util.Optional.empty(), demo.minEpsilonPerQuery(),
        demo.outputRules(), demo.allowedLibraryGroups(), demo.source());
  }

  public static PrivateTable table(DatasetPolicy policy) {
    try {
      return PrivateTable.load(CSV, policy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String budgetKey() {
    try {
      return ProvisionedDataset.budgetKeyOf(CSV);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
