package dev.cleanroom.dp.provision;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.BudgetExhaustedException;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.Drafted;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.policy.View;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code dcr provision}: turns a provider's real CSV and policy into the dataset's stage-1 views —
 * {@code schema.json}, {@code mock.csv}, {@code synthetic.csv} (as the policy turns them on), a copy of
 * the policy, and {@code provision.json} recording what was spent and the real rows' commitment under the
 * dataset's secret key ({@link InputCommitment}, made on the first run and kept after).
 *
 * <p>Invariant: ε is never spent twice silently, nor outside the dataset's total. A re-run with the same
 * data and policy changes nothing; a re-run with different data or policy that would make synthetic data
 * again needs {@code force}; every spend is recorded with its ledger id in the record and, with a ledger
 * at hand, charged to the dataset's budget before the view is made (a spend that does not fit is refused).
 * The DP query service charges the recorded spends to its own ledger at start ({@link
 * ProvisionedDataset#chargeProvisioning}), so no view's spend escapes the dataset's total.
 */
public final class Provisioner {
  public static final String RECORD_FILE = "provision.json";
  static final String TOOL = "dcr-dp-engine " + Optional.ofNullable(Provisioner.class.getPackage().getImplementationVersion()).orElse("dev");

  /** Makes DP synthetic rows from the real table within the policy's synthetic budget. */
  public interface SyntheticDataMaker {
    /** The rows (header = the policy's visible columns) and the (ε, δ) actually spent. */
    Result make(PrivateTable table, PrivacyCost budget);

    record Result(CsvFile rows, PrivacyCost spent) {}
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final SyntheticDataMaker synthesizer;
  private final Clock clock;
  private final Consumer<String> progress;

  public Provisioner(SyntheticDataMaker synthesizer, Clock clock, Consumer<String> progress) {
    this.synthesizer = synthesizer;
    this.clock = clock;
    this.progress = progress;
  }

  /**
   * Provisions {@code data} under {@code policyFile} into {@code outDir}, charging what it spends to
   * {@code ledger} if one is given; returns what is recorded there.
   */
  public ProvisioningRecord provision(Path data, Path policyFile, Path outDir, boolean force,
      Optional<PrivacyLedger> ledger) throws IOException {
    DatasetPolicy policy = PolicyFile.read(policyFile);
    String policySha = sha256(PolicyFile.toYaml(policy).getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(outDir);
    String dataCommitment = InputCommitment.of(InputCommitment.loadOrCreateKey(outDir), data);
    Optional<ProvisioningRecord> previous = readRecord(outDir);
    if (previous.isPresent() && previous.get().madeFrom(policySha, dataCommitment) && viewsPresent(policy, outDir)) {
      progress.accept("Already provisioned from this data and policy in " + outDir + "; nothing was made or spent.");
      return previous.get();
    }
    boolean makesSynthetic = policy.allows(View.SYNTHETIC);
    if (previous.isPresent() && makesSynthetic && !force) {
      PrivacyCost total = previous.get().totalSyntheticSpent().plus(policy.syntheticCost());
      throw new ProvisioningException("would_spend_again", outDir + " was provisioned before from other data or "
          + "another policy. Making the synthetic view again spends " + policy.syntheticCost()
          + " more (" + total + " in all for this dataset). Run again with --force to spend it.");
    }

    progress.accept("Loading " + data + " under the policy of dataset '" + policy.dataset() + "'");
    CsvFile rows = CsvFile.read(data);
    PrivateTable table = PrivateTable.of(rows, policy);
    // The budget's key, kept in the ledger only (ProvisionedDataset.budgetKeyOf); the record names the rows by
    // commitment. Charges an earlier version made under the file's byte key move to it first.
    String budgetKey = ProvisionedDataset.budgetKeyOf(rows);
    if (ledger.isPresent()) {
      ledger.get().moveCharges(ProvisionedDataset.legacyBudgetKeyOf(data), budgetKey);
    }
    List<String> views = new ArrayList<>();
    writeSchema(policy, outDir.resolve("schema.json"));
    Files.writeString(outDir.resolve(ProvisionedDataset.POLICY_FILE), PolicyFile.toYaml(policy));
    if (policy.allows(View.MOCK)) {
      progress.accept("Writing mock.csv: " + MockData.DEFAULT_ROWS + " rows drawn from the declared schema only");
      MockData.generate(policy, MockData.DEFAULT_ROWS).write(outDir.resolve("mock.csv"));
      views.add(View.MOCK.id());
    } else {
      Files.deleteIfExists(outDir.resolve("mock.csv"));
    }
    List<ProvisioningRecord.Spend> spends = new ArrayList<>(previous.map(ProvisioningRecord::spends).orElse(List.of()));
    Optional<Drafted> drafted = policy.drafted().filter(d -> d.spent().epsilon() > 0);
    if (drafted.isPresent() && spends.stream().noneMatch(s -> s.id().equals(drafted.get().spendId()))) {
      // Drafting spent this already; recording it is not a choice, so it is charged even without --force.
      ProvisioningRecord.Spend spend = new ProvisioningRecord.Spend(drafted.get().spendId(), "policy draft",
          drafted.get().spent(), clock.instant());
      charge(policy, budgetKey, spends, spend, ledger);
      spends.add(spend);
    }
    PrivacyCost spent = PrivacyCost.ZERO;
    String syntheticSha = null;
    if (makesSynthetic) {
      ProvisioningRecord.Spend spend = new ProvisioningRecord.Spend(UUID.randomUUID().toString(), "synthetic view",
          policy.syntheticCost(), clock.instant());
      charge(policy, budgetKey, spends, spend, ledger);
      spends.add(spend);
      progress.accept("Making synthetic.csv with DP synthetic data (spends " + policy.syntheticCost() + ")");
      SyntheticDataMaker.Result synthetic = synthesizer.make(table, policy.syntheticCost());
      FakeIdentifiers.addTo(synthetic.rows(), policy, new SecureRandom()).write(outDir.resolve("synthetic.csv"));
      syntheticSha = sha256(outDir.resolve("synthetic.csv"));
      spent = synthetic.spent();
      views.add(View.SYNTHETIC.id());
      progress.accept("synthetic.csv: " + synthetic.rows().rows().size() + " rows, spent " + spent);
    } else {
      Files.deleteIfExists(outDir.resolve("synthetic.csv"));
    }
    PrivacyCost total = previous.map(ProvisioningRecord::totalSyntheticSpent).orElse(PrivacyCost.ZERO).plus(spent);
    ProvisioningRecord record = new ProvisioningRecord(policy.dataset(), TOOL, clock.instant(), policySha, dataCommitment,
        views, spent, total, previous.map(ProvisioningRecord::runs).orElse(0) + 1, spends, syntheticSha);
    // The record is written last: a run that dies half-way leaves no record claiming views it did not make.
    JSON.writeValue(outDir.resolve(RECORD_FILE).toFile(), record);
    progress.accept("Provisioned '" + policy.dataset() + "' in " + outDir + ": " + String.join(", ", views)
        + (views.isEmpty() ? "no row views" : "") + "; schema.json, policy.yaml, " + RECORD_FILE + "; the commitment key "
        + InputCommitment.KEY_FILE + " (keep it as secret as the real rows: it goes to the TEE with them)");
    return record;
  }

  /**
   * Charges {@code spend} before it is made: to the ledger if one is at hand, which knows every user's spend
   * on the dataset; otherwise against the spends recorded in this folder alone, which the service charges
   * to its ledger at start.
   */
  private static void charge(DatasetPolicy policy, String budgetKey, List<ProvisioningRecord.Spend> recorded,
      ProvisioningRecord.Spend spend, Optional<PrivacyLedger> ledger) {
    if (ledger.isPresent()) {
      try {
        ledger.get().charge(ProvisionedDataset.providerCharge(policy, budgetKey, spend));
      } catch (BudgetExhaustedException e) {
        throw new ProvisioningException("budget_exhausted", "The " + spend.what() + " of dataset '" + policy.dataset()
            + "' would spend " + spend.cost() + " beyond its budget.dataset_total (" + policy.datasetTotal() + "): "
            + e.getMessage());
      }
      return;
    }
    PrivacyCost after = recorded.stream().map(ProvisioningRecord.Spend::cost).reduce(PrivacyCost.ZERO, PrivacyCost::plus)
        .plus(spend.cost());
    if (!after.fitsWithin(policy.datasetTotal())) {
      throw new ProvisioningException("budget_exhausted", "The " + spend.what() + " of dataset '" + policy.dataset()
          + "' would bring what this folder's runs spent to " + after + ", beyond its budget.dataset_total ("
          + policy.datasetTotal() + "); raise the total, or make fewer views");
    }
  }

  public static Optional<ProvisioningRecord> readRecord(Path outDir) throws IOException {
    Path file = outDir.resolve(RECORD_FILE);
    return Files.isRegularFile(file) ? Optional.of(JSON.readValue(file.toFile(), ProvisioningRecord.class))
        : Optional.empty();
  }

  private static boolean viewsPresent(DatasetPolicy policy, Path outDir) {
    return Files.isRegularFile(outDir.resolve("schema.json"))
        && (!policy.allows(View.MOCK) || Files.isRegularFile(outDir.resolve("mock.csv")))
        && (!policy.allows(View.SYNTHETIC) || Files.isRegularFile(outDir.resolve("synthetic.csv")));
  }

  /**
   * The public schema: column names, types, bounds and categories. A value copied from the data reaches it
   * only from a column the provider confirmed as revealed, and that column says {@code "REVEALED"}.
   */
  private static void writeSchema(DatasetPolicy policy, Path file) throws IOException {
    List<Map<String, Object>> columns = new ArrayList<>();
    for (ColumnPolicy column : policy.visibleColumns()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", column.name());
      entry.putAll(PolicyFile.fields(column));
      if (policy.drafted().map(d -> d.revealedColumns().contains(column.name())).orElse(false)) {
        entry.put("mark", "REVEALED: copied from the real data by dcr provision --infer --reveal");
      }
      columns.add(entry);
    }
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("dataset", policy.dataset());
    schema.put("columns", columns);
    JSON.writeValue(file.toFile(), schema);
  }

  /** The sha256 of a file, read in pieces: real data may be larger than the heap. */
  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    try (var in = Files.newInputStream(file)) {
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
