package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.ledger.BudgetExhaustedException;
import dev.cleanroom.dp.ledger.ChargeRequest;
import dev.cleanroom.dp.ledger.DatasetBudget;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.policy.View;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.source.HeapRows;
import dev.cleanroom.dp.source.RowSource;
import dev.cleanroom.dp.source.RowSources;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A dataset as the DP query service serves it: the policy it was provisioned with, the folder of its
 * stage-1 views (written by {@link Provisioner}), the real rows, and the key of its privacy budget.
 *
 * <p>The policy is read from the views folder, not from the provider's working copy, so the service
 * always enforces the policy the views were made under; changing a policy means provisioning again.
 *
 * @param budgetKey what the dataset's budget in the ledger belongs to ({@link #budgetKeyOf(CsvFile)})
 * @param legacyBudgetKey the key an earlier version gave the same file ({@link #legacyBudgetKeyOf(Path)}), whose
 *     charges the service moves to {@code budgetKey} ({@link PrivacyLedger#moveCharges}) before serving
 */
public record ProvisionedDataset(
    DatasetPolicy policy, Path viewsDir, RowSource rows, String budgetKey, Optional<String> legacyBudgetKey) {
  public static final String POLICY_FILE = "policy.yaml";

  /** A dataset whose rows are held in the heap, which no earlier version served: nothing to move in the ledger. */
  public ProvisionedDataset(DatasetPolicy policy, Path viewsDir, PrivateTable table, String budgetKey) {
    this(policy, viewsDir, new HeapRows(table), budgetKey, Optional.empty());
  }

  /**
   * Opens a provisioned views folder and the real data it was made from (CSV, or Parquet), in the heap or
   * in DuckDB as {@link RowSources} chooses.
   */
  public static ProvisionedDataset open(Path viewsDir, Path realCsv) throws IOException {
    Path policyFile = viewsDir.resolve(POLICY_FILE);
    if (!Files.isRegularFile(policyFile)) {
      throw new IOException(viewsDir + " holds no " + POLICY_FILE + "; run 'dcr provision --data <csv> --policy "
          + "<policy.yaml> --out " + viewsDir + "' first");
    }
    DatasetPolicy policy = PolicyFile.read(policyFile);
    Optional<ProvisioningRecord> record = Provisioner.readRecord(viewsDir);
    Path keyFile = viewsDir.resolve(InputCommitment.KEY_FILE);
    if (record.isPresent() && (!Files.isRegularFile(keyFile)
        || !record.get().dataCommitment().equals(InputCommitment.of(InputCommitment.readKey(keyFile), realCsv)))) {
      throw new IOException(viewsDir + " was provisioned from other data than " + realCsv + " (or before commitments"
          + " were kept); provision it again from this file, or serve it with the file it was made from");
    }
    String budgetKey = budgetKeyOf(realCsv);
    Optional<String> legacyKey = Optional.of(legacyBudgetKeyOf(realCsv)).filter(key -> !key.equals(budgetKey));
    return new ProvisionedDataset(policy, viewsDir, RowSources.open(realCsv, policy), budgetKey, legacyKey);
  }

  /**
   * The one rule for what a dataset's budget belongs to: its real rows, by their {@link DataFingerprint}, which
   * no reordering of the rows or columns, line endings or quoting changes. Serving the same data under another
   * name, from another views folder, from a reordered copy, or provisioning it again keeps its budget; only other
   * rows start another.
   */
  public static String budgetKeyOf(CsvFile realRows) {
    return "rows-sha256:" + DataFingerprint.of(realRows);
  }

  /**
   * The budget key of the real data in {@code realData}: a CSV's by {@link #budgetKeyOf(CsvFile)}; a Parquet file's
   * is still the sha256 of its bytes, so a rewritten copy of the same rows starts another budget.
   */
  public static String budgetKeyOf(Path realData) throws IOException {
    if (realData.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".parquet")) {
      return legacyBudgetKeyOf(realData);
    }
    return budgetKeyOf(CsvFile.read(realData));
  }

  /**
   * The key earlier versions gave a dataset's budget: the sha256 of the CSV's bytes, which a reordered copy of
   * the same rows escaped. Kept only to move the charges made under it to {@link #budgetKeyOf(CsvFile)}.
   */
  public static String legacyBudgetKeyOf(Path realCsv) throws IOException {
    return "sha256:" + Provisioner.sha256(realCsv);
  }

  /**
   * Moves the charges and held budgets an earlier version recorded under this file's byte key to its row key
   * (once; nothing is left to move after), so upgrading keeps every spend on the data.
   */
  public void adoptLegacyCharges(PrivacyLedger ledger) {
    legacyBudgetKey.ifPresent(legacy -> ledger.moveCharges(legacy, budgetKey));
  }

  public String name() {
    return policy.dataset();
  }

  /** A scientist's and everyone's budgets on this dataset, as its policy declares them. */
  public DatasetBudget scientistBudget() {
    return new DatasetBudget(budgetKey, policy.budgetPerScientist(), policy.datasetTotal());
  }

  /**
   * Charges to {@code ledger} every spend the provider's provisioning runs recorded in this folder, each
   * under its own id, so a spend already charged (by {@code dcr provision --ledger}, or at an earlier start)
   * charges nothing again, and returns the synthetic view those spends paid for. The service does this before it
   * answers a query and serves that text alone: what the views released counts against the dataset's total
   * whichever ledger the service keeps, and a synthetic.csv made since (re-provisioning without {@code --ledger})
   * is not served until a start charges it.
   *
   * @throws IllegalStateException if the recorded spends do not fit the dataset's total in this ledger, or the
   *     synthetic.csv is not the one provision.json records (a provisioning run is under way)
   */
  public Optional<String> chargeProvisioning(PrivacyLedger ledger) throws IOException {
    Optional<ProvisioningRecord> record = Provisioner.readRecord(viewsDir);
    for (ProvisioningRecord.Spend spend : record.map(ProvisioningRecord::spends).orElse(java.util.List.of())) {
      try {
        ledger.charge(providerCharge(policy, budgetKey, spend));
      } catch (BudgetExhaustedException e) {
        throw new IllegalStateException("Dataset '" + name() + "': the " + spend.what() + " provisioned in " + viewsDir
            + " spent " + spend.cost() + ", which this ledger's records leave no room for (" + e.getMessage()
            + "). Serve it with the ledger it was provisioned against, or raise budget.dataset_total", e);
      }
    }
    Optional<Path> file = viewFile(View.SYNTHETIC);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    byte[] view = Files.readAllBytes(file.get());
    Optional<String> recorded = record.map(ProvisioningRecord::syntheticSha256);
    if (recorded.isPresent() && !recorded.get().equals(Provisioner.sha256(view))) {
      throw new IllegalStateException("Dataset '" + name() + "': " + file.get() + " is not the synthetic view "
          + Provisioner.RECORD_FILE + " records (whose spend was charged); a provisioning run may be under way."
          + " Start the service again once it has finished");
    }
    return Optional.of(new String(view, StandardCharsets.UTF_8));
  }

  /** The ledger charge of one of the provider's spends: the provider's own account, bounded by the dataset's total. */
  static ChargeRequest providerCharge(DatasetPolicy policy, String budgetKey, ProvisioningRecord.Spend spend) {
    return new ChargeRequest(spend.id(), policy.owner(), policy.dataset(), spend.cost(),
        DatasetBudget.ofProvider(budgetKey, policy.datasetTotal()), spend.what());
  }

  /** The CSV file of a row view ({@link View#SYNTHETIC} or {@link View#MOCK}) if the policy turned it on. */
  public Optional<Path> viewFile(View view) {
    return viewFile(policy, viewsDir, view);
  }

  /**
   * The CSV file of a row view in a views folder provisioned under {@code policy}, if the policy turned the
   * view on and the file is there. The one rule for every reader of a views folder: the DP query service, and
   * the stage-2 inputs (which take the synthetic view the scientist could already see, never the real rows).
   */
  public static Optional<Path> viewFile(DatasetPolicy policy, Path viewsDir, View view) {
    if (view == View.DP_QUERY || !policy.allows(view)) {
      return Optional.empty();
    }
    Path file = viewsDir.resolve(view.id() + ".csv");
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }
}
