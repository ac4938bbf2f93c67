package dev.cleanroom.dp.provision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.service.DpQueryService;
import dev.cleanroom.dp.synth.Synthesizer;
import dev.cleanroom.dp.synth.SyntheticTable;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.testing.InsuranceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Vertx;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisionerTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  private final List<String> progress = new ArrayList<>();
  private int syntheticRuns;

  /** Provisioning with the real synthesizer, counting how often it ran (each run spends ε). */
  private Provisioner provisioner() {
    return new Provisioner((table, budget) -> {
      syntheticRuns++;
      SyntheticTable synthetic = Synthesizer.synthesize(table, budget, new SplittableRandom(syntheticRuns));
      return new Provisioner.SyntheticDataMaker.Result(synthetic.rows(), synthetic.spent());
    }, CLOCK, progress::add);
  }

  private Path policy(String views) throws IOException {
    Path file = dir.resolve("policy-" + views.hashCode() + ".yaml");
    Files.writeString(file, Files.readString(InsuranceData.POLICY)
        .replace("views: [dp-query, synthetic, mock]", "views: [" + views + "]"));
    return file;
  }

  private Path realRows(String extraRow) throws IOException {
    Path file = dir.resolve("real-" + extraRow.hashCode() + ".csv");
    Files.writeString(file, Files.readString(InsuranceData.CSV) + extraRow);
    return file;
  }

  @Test
  void writesTheViewsThePolicyTurnsOn() throws IOException {
    Path out = dir.resolve("out");
    ProvisioningRecord record = provisioner().provision(InsuranceData.CSV, policy("dp-query, mock, synthetic"), out, false, Optional.empty());
    assertTrue(Files.isRegularFile(out.resolve("schema.json")));
    assertTrue(Files.isRegularFile(out.resolve("mock.csv")));
    assertTrue(Files.isRegularFile(out.resolve("synthetic.csv")));
    assertEquals(InsuranceData.policy().views(), PolicyFile.read(out.resolve("policy.yaml")).views());
    assertEquals(List.of("mock", "synthetic"), record.views());
    assertTrue(record.syntheticSpent().fitsWithin(new PrivacyCost(1, 1e-6)), record.syntheticSpent().toString());
    assertTrue(record.syntheticSpent().epsilon() > 0.99, record.syntheticSpent().toString());
    assertEquals(List.of("age", "sex", "bmi", "children", "smoker", "region", "charges"),
        CsvFile.read(out.resolve("synthetic.csv")).header());
    assertEquals(record, Provisioner.readRecord(out).orElseThrow());
  }

  @Test
  void mockDataDoesNotChangeWhenTheRealRowsChange() throws IOException {
    Path policy = policy("dp-query, mock");
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    provisioner().provision(InsuranceData.CSV, policy, first, false, Optional.empty());
    provisioner().provision(realRows("64,female,50.1,5,yes,northeast,63000.5\n"), policy, second, false, Optional.empty());
    assertArrayEquals(Files.readAllBytes(first.resolve("mock.csv")), Files.readAllBytes(second.resolve("mock.csv")));
    assertArrayEquals(Files.readAllBytes(first.resolve("schema.json")), Files.readAllBytes(second.resolve("schema.json")));
  }

  @Test
  void theSchemaHoldsNoValueFromTheData() throws IOException {
    Path out = dir.resolve("out");
    provisioner().provision(InsuranceData.CSV, policy("mock"), out, false, Optional.empty());
    String schema = Files.readString(out.resolve("schema.json"));
    assertTrue(schema.contains("\"upper\" : 65000.0"), schema);
    assertFalse(schema.contains("63770"), "the largest real charge must not appear: " + schema);
  }

  @Test
  void rerunningWithTheSameInputsSpendsNothing() throws IOException {
    Path out = dir.resolve("out");
    Path policy = policy("dp-query, mock, synthetic");
    ProvisioningRecord first = provisioner().provision(InsuranceData.CSV, policy, out, false, Optional.empty());
    ProvisioningRecord again = provisioner().provision(InsuranceData.CSV, policy, out, false, Optional.empty());
    assertEquals(first, again);
    assertEquals(1, syntheticRuns);
    assertTrue(progress.get(progress.size() - 1).startsWith("Already provisioned"), progress.toString());
  }

  @Test
  void newDataDoesNotSilentlySpendTheSyntheticBudgetAgain() throws IOException {
    Path out = dir.resolve("out");
    Path policy = policy("dp-query, mock, synthetic");
    provisioner().provision(InsuranceData.CSV, policy, out, false, Optional.empty());
    Path changed = realRows("30,male,25,0,no,southwest,4000\n");
    ProvisioningException e =
        assertThrows(ProvisioningException.class, () -> provisioner().provision(changed, policy, out, false, Optional.empty()));
    assertEquals("would_spend_again", e.code());
    assertTrue(e.getMessage().contains("--force"), e.getMessage());
    assertEquals(1, syntheticRuns);

    ProvisioningRecord first = Provisioner.readRecord(out).orElseThrow();
    ProvisioningRecord forced = provisioner().provision(changed, policy, out, true, Optional.empty());
    assertEquals(first.syntheticSpent().plus(forced.syntheticSpent()), forced.totalSyntheticSpent());
    assertEquals(2, forced.runs());
  }

  @Test
  void turningAViewOffRemovesItsFile() throws IOException {
    Path out = dir.resolve("out");
    provisioner().provision(InsuranceData.CSV, policy("dp-query, mock"), out, false, Optional.empty());
    provisioner().provision(InsuranceData.CSV, policy("dp-query"), out, false, Optional.empty());
    assertFalse(Files.exists(out.resolve("mock.csv")));
  }

  @Test
  void provisioningRecord_holdsNoBareSha256OfTheRealRows() throws Exception {
    // A bare sha256 lets anyone who knows all rows but one test guesses of the last against it.
    Path out = dir.resolve("out");
    Path rows = realRows("");
    provisioner().provision(rows, policy("dp-query"), out, false, Optional.empty());
    String sha256 = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(rows)));
    for (Path file : Files.list(out).toList()) {
      assertFalse(Files.readString(file).contains(sha256), file + " holds the real rows' sha256");
    }
  }

  @Test
  void provisioningRecord_holdsTheRowsCommitmentUnderAnOwnerOnlyKeyKeptAcrossRuns() throws Exception {
    Path out = dir.resolve("out");
    ProvisioningRecord first = provisioner().provision(realRows(""), policy("dp-query"), out, false, Optional.empty());
    Path key = out.resolve(InputCommitment.KEY_FILE);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals(InputCommitment.of(InputCommitment.readKey(key), realRows("")), first.dataCommitment());
    ProvisioningRecord changed = provisioner().provision(realRows("19,female,27.9,0,no,southwest,16884.924\n"),
        policy("dp-query"), out, false, Optional.empty());
    assertEquals(InputCommitment.of(InputCommitment.readKey(key), realRows("19,female,27.9,0,no,southwest,16884.924\n")),
        changed.dataCommitment());
    assertFalse(first.dataCommitment().equals(changed.dataCommitment()));
  }

  private Path policyWithTotal(String description, double totalEpsilon) throws IOException {
    Path file = dir.resolve("policy-total-" + description.hashCode() + ".yaml");
    Files.writeString(file, Files.readString(InsuranceData.POLICY)
        .replaceFirst("description: .*", "description: " + description)
        .replaceFirst("dataset_total: \\{[^}]*}", "dataset_total: {epsilon: " + totalEpsilon + ", delta: 3.0e-6}"));
    return file;
  }

  /**
   * Attack (issue 15, 4): re-provisioning with --force, or into a fresh folder, made the synthetic view again
   * with no trace in the ledger. Every synthetic spend is a charge on the data's budget, and one beyond the
   * dataset's total is refused before anything is made.
   */
  @OnBothDatabases
  void forceAndAFreshFolderChargeTheSameLedgerAndStopAtTheDatasetTotal(TestDatabase backend) throws IOException {
    try (PrivacyLedger ledger = PrivacyLedger.open(backend.newUrl(dir))) {
      Path out = dir.resolve("out");
      provisioner().provision(InsuranceData.CSV, policyWithTotal("first", 2.5), out, false, Optional.of(ledger));
      ProvisioningRecord forced =
          provisioner().provision(InsuranceData.CSV, policyWithTotal("second", 2.5), out, true, Optional.of(ledger));

      List<Charge> charges = ledger.charges(InsuranceData.BUDGET_KEY);
      assertEquals(List.of("synthetic view", "synthetic view"), charges.stream().map(Charge::description).toList());
      assertEquals(forced.spends().stream().map(ProvisioningRecord.Spend::id).toList(),
          charges.stream().map(Charge::queryId).toList());
      assertEquals(2.0, ledger.spentByAll(InsuranceData.BUDGET_KEY).epsilon(), 1e-9);

      ProvisioningException third = assertThrows(ProvisioningException.class, () -> provisioner()
          .provision(InsuranceData.CSV, policyWithTotal("third", 2.5), out, true, Optional.of(ledger)));
      ProvisioningException renamed = assertThrows(ProvisioningException.class, () -> provisioner().provision(
          InsuranceData.CSV, policyWithTotal("renamed", 2.5), dir.resolve("fresh-folder"), false, Optional.of(ledger)));
      assertEquals("budget_exhausted", third.code());
      assertEquals("budget_exhausted", renamed.code());
      assertEquals(2, syntheticRuns, "a refused spend makes nothing");
      assertEquals(2.0, ledger.spentByAll(InsuranceData.BUDGET_KEY).epsilon(), 1e-9);
    }
  }

  /** The insurance rows in reverse order, columns reversed too, with CRLF line ends: the same data in other bytes. */
  private Path reorderedCopy() throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(InsuranceData.CSV));
    List<String> rows = new ArrayList<>(lines.subList(1, lines.size()));
    java.util.Collections.reverse(rows);
    rows.addFirst(lines.get(0));
    List<String> reversedColumns = rows.stream().map(line -> {
      List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
      java.util.Collections.reverse(cells);
      return String.join(",", cells);
    }).toList();
    Path file = dir.resolve("reordered.csv");
    Files.writeString(file, String.join("\r\n", reversedColumns) + "\r\n");
    return file;
  }

  /**
   * Attack (issue 15, budget key): the budget was keyed by the sha256 of the CSV's bytes, so the same rows in
   * another order (or with CRLF line ends) were a new dataset with a fresh total. The key is the rows' own, as a
   * multiset: a reordered copy spends from the same total, and is refused once the total is spent.
   */
  @OnBothDatabases
  void aReorderedCopyOfTheRows_spendsFromTheSameBudget(TestDatabase backend) throws IOException {
    Path reordered = reorderedCopy();
    assertFalse(Provisioner.sha256(reordered).equals(Provisioner.sha256(InsuranceData.CSV)));
    assertEquals(InsuranceData.BUDGET_KEY, ProvisionedDataset.budgetKeyOf(reordered));
    try (PrivacyLedger ledger = PrivacyLedger.open(backend.newUrl(dir))) {
      provisioner().provision(InsuranceData.CSV, policyWithTotal("first", 1.5), dir.resolve("out"), false,
          Optional.of(ledger));
      ProvisioningException again = assertThrows(ProvisioningException.class, () -> provisioner().provision(
          reordered, policyWithTotal("reordered", 1.5), dir.resolve("other-folder"), false, Optional.of(ledger)));
      assertEquals("budget_exhausted", again.code());
      assertEquals(1, syntheticRuns);
    }
  }

  /** One changed cell is other data: another budget. */
  @Test
  void oneChangedCell_isAnotherBudgetKey() throws IOException {
    Path changed = dir.resolve("changed.csv");
    Files.writeString(changed, Files.readString(InsuranceData.CSV).replaceFirst("19,female,27.9", "19,female,27.8"));
    assertFalse(ProvisionedDataset.budgetKeyOf(changed).equals(InsuranceData.BUDGET_KEY));
  }

  /**
   * A ledger written before the key changed holds the dataset's charges under the file's byte key: serving the
   * unchanged file moves them to the rows' key, so an upgrade neither forgets a spend nor lets a policy's held
   * budgets rise.
   */
  @OnBothDatabases
  void chargesUnderTheOldByteKey_moveToTheRowKeyWhenServed(TestDatabase backend) throws Exception {
    Path out = dir.resolve("out");
    provisioner().provision(InsuranceData.CSV, policy("dp-query"), out, false, Optional.empty());
    String legacyKey = ProvisionedDataset.legacyBudgetKeyOf(InsuranceData.CSV);
    Vertx vertx = Vertx.vertx();
    try (PrivacyLedger ledger = PrivacyLedger.open(backend.newUrl(dir))) {
      ledger.charge(new dev.cleanroom.dp.ledger.ChargeRequest("before-upgrade", "alice", "insurance",
          new PrivacyCost(1.5, 0), new dev.cleanroom.dp.ledger.DatasetBudget(legacyKey, new PrivacyCost(1.5, 1e-6),
              new PrivacyCost(5, 3e-6)), "mean(charges)"));
      DpQueryService.create(vertx, ledger, List.of(ProvisionedDataset.open(out, InsuranceData.CSV)));

      assertEquals(List.of("before-upgrade"), ledger.charges(InsuranceData.BUDGET_KEY).stream().map(Charge::queryId).toList());
      assertEquals(List.of(), ledger.charges(legacyKey));
      // The old key's held per-scientist budget (1.5, below the policy's 2) still binds alice: nothing is left.
      assertEquals(0, ledger.remaining("alice", ProvisionedDataset.open(out, InsuranceData.CSV).scientistBudget())
          .epsilon(), 1e-9);
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Attack (DP review, 2): re-provisioning with --force and no --ledger while the service ran made a new
   * synthetic.csv that the service read from disk on the next request, its spend uncharged until a restart. The
   * service serves the synthetic view whose spend it charged; the new one once a start has charged it.
   */
  @Test
  void aViewProvisionedWhileTheServiceRuns_isNotServedUntilItsSpendIsCharged() throws Exception {
    Path out = dir.resolve("out");
    provisioner().provision(InsuranceData.CSV, policyWithTotal("first", 5), out, false, Optional.empty());
    String charged = Files.readString(out.resolve("synthetic.csv"));
    Vertx vertx = Vertx.vertx();
    try (PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"))) {
      DpQueryService running = DpQueryService.create(vertx, ledger, List.of(ProvisionedDataset.open(out, InsuranceData.CSV)));
      assertEquals(charged, synthetic(running));

      provisioner().provision(InsuranceData.CSV, policyWithTotal("second", 5), out, true, Optional.empty());
      String fresh = Files.readString(out.resolve("synthetic.csv"));
      assertFalse(fresh.equals(charged));

      assertEquals(charged, synthetic(running));
      assertEquals(1.0, ledger.spentByAll(InsuranceData.BUDGET_KEY).epsilon(), 1e-9);
      DpQueryService restarted = DpQueryService.create(vertx, ledger, List.of(ProvisionedDataset.open(out, InsuranceData.CSV)));
      assertEquals(fresh, synthetic(restarted));
      assertEquals(2.0, ledger.spentByAll(InsuranceData.BUDGET_KEY).epsilon(), 1e-9);
    } finally {
      vertx.close().await();
    }
  }

  private static String synthetic(DpQueryService service) throws Exception {
    return service.view(Caller.scientist("alice"), "insurance", "synthetic").toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** A synthetic.csv that is not the one provision.json records (written, its record not yet) is never served. */
  @Test
  void aSyntheticViewOtherThanTheRecordedOne_stopsTheStart() throws Exception {
    Path out = dir.resolve("out");
    provisioner().provision(InsuranceData.CSV, policyWithTotal("first", 5), out, false, Optional.empty());
    Files.writeString(out.resolve("synthetic.csv"), "age,sex\n19,female\n");
    try (PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"))) {
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> ProvisionedDataset.open(out, InsuranceData.CSV).chargeProvisioning(ledger));
      assertTrue(refused.getMessage().contains("is not the synthetic view provision.json records"), refused.getMessage());
    }
  }
}
