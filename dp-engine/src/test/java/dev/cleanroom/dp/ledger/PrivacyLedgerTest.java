package dev.cleanroom.dp.ledger;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import dev.cleanroom.service.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class PrivacyLedgerTest {
  private static final PrivacyCost BUDGET = PrivacyCost.pure(1);
  /** A dataset total these tests never reach unless they mean to. */
  private static final PrivacyCost TOTAL = new PrivacyCost(1000, 0.5);
  private static final Instant NOON = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(NOON);
  private final List<PrivacyLedger> opened = new ArrayList<>();

  @AfterEach
  void closeLedgers() {
    opened.forEach(PrivacyLedger::close);
  }

  private PrivacyLedger open(String url) {
    PrivacyLedger ledger = PrivacyLedger.open(url, clock);
    opened.add(ledger);
    return ledger;
  }

  private PrivacyLedger newLedger(TestDatabase backend) {
    return open(backend.newUrl(dir));
  }

  private static ChargeRequest request(String queryId, String scientist, String dataset, PrivacyCost cost,
      PrivacyCost budget) {
    return new ChargeRequest(queryId, scientist, dataset, cost, new DatasetBudget(dataset, budget, TOTAL),
        "mean of charges");
  }

  private static ChargeRequest aliceOnInsurance(String queryId, double epsilon) {
    return request(queryId, "alice", "insurance", PrivacyCost.pure(epsilon), BUDGET);
  }

  @OnBothDatabases
  void charge_withinBudget_returnsTheChargeAndWhatIsLeft(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);

    Charge charge = ledger.charge(aliceOnInsurance("q1", 0.25));

    assertEquals(new Charge("q1", "alice", "insurance", PrivacyCost.pure(0.25), PrivacyCost.pure(0.75),
        "mean of charges", NOON, false), charge);
  }

  /**
   * What a query asked at ε 0.1 costs: the double 0.1 lies above the decimal 0.1, so the mechanisms calibrate
   * to the double just below it (Noise.calibrate), which charges exactly 0.1.
   */
  private static final double POINT_ONE = Math.nextDown(0.1);

  @OnBothDatabases
  void tenChargesOfPointOne_fitABudgetOfOneExactly(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);

    for (int i = 0; i < 10; i++) {
      ledger.charge(aliceOnInsurance("q" + i, POINT_ONE));
    }

    assertEquals(PrivacyCost.pure(1), ledger.spent("alice", "insurance"));
    assertEquals(PrivacyCost.ZERO, ledger.remaining("alice", new DatasetBudget("insurance", BUDGET, TOTAL)));
  }

  @OnBothDatabases
  void charge_eleventhPointOneOnBudgetOfOne_isRefusedAndChargesNothing(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    for (int i = 0; i < 10; i++) {
      ledger.charge(aliceOnInsurance("q" + i, POINT_ONE));
    }

    assertThrows(BudgetExhaustedException.class, () -> ledger.charge(aliceOnInsurance("q10", POINT_ONE)));

    assertEquals(10, ledger.charges("insurance").size());
    assertEquals(PrivacyCost.pure(1), ledger.spent("alice", "insurance"));
  }

  @OnBothDatabases
  void budgetExhausted_saysWhatIsLeftAndWhatTheQueryNeeds(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.charge(aliceOnInsurance("q1", 0.875));

    var refused = assertThrows(BudgetExhaustedException.class, () -> ledger.charge(aliceOnInsurance("q2", 0.5)));

    assertTrue(refused.getMessage().startsWith(
        "Budget exhausted: alice has ε 0.125 left on dataset 'insurance'; this query needs ε 0.5."),
        refused.getMessage());
    assertEquals("budget_exhausted", refused.code());
    assertEquals(PrivacyCost.pure(0.125), refused.remaining());
    assertEquals(PrivacyCost.pure(0.5), refused.requested());
  }

  @OnBothDatabases
  void charge_sameQueryIdAgain_returnsTheFirstChargeReplayedAndChargesOnce(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.charge(aliceOnInsurance("q1", 0.3));
    clock.set(NOON.plusSeconds(60));

    Charge again = ledger.charge(aliceOnInsurance("q1", 0.3));

    assertEquals(new Charge("q1", "alice", "insurance", PrivacyCost.pure(0.3), PrivacyCost.pure(0.7),
        "mean of charges", NOON, true), again);
    assertEquals(PrivacyCost.pure(0.3), ledger.spent("alice", "insurance"));
  }

  @OnBothDatabases
  void charge_sameQueryIdAfterBudgetIsGone_isStillReplayed(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.charge(aliceOnInsurance("q1", 1));

    assertTrue(ledger.charge(aliceOnInsurance("q1", 1)).replayed());
  }

  @OnBothDatabases
  void charge_sameQueryIdForAnotherScientist_isRejectedAndChargesNobody(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.charge(aliceOnInsurance("q1", 0.3));

    var rejected = assertThrows(IllegalArgumentException.class,
        () -> ledger.charge(request("q1", "bob", "insurance", PrivacyCost.pure(0.3), BUDGET)));

    assertTrue(rejected.getMessage().contains("already charged to alice"), rejected.getMessage());
    assertEquals(PrivacyCost.ZERO, ledger.spent("bob", "insurance"));
  }

  @OnBothDatabases
  void charge_whileAnotherScientistsChargeOfTheSameQueryIdCommits_isRejected(TestDatabase backend) throws Exception {
    String url = backend.newUrl(dir);
    PrivacyLedger ledger = open(url);
    try (Connection bob = DriverManager.getConnection(url);
        Statement statement = bob.createStatement()) {
      statement.execute(backend == TestDatabase.SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
      statement.executeUpdate("INSERT INTO privacy_charges VALUES ('q1', 'bob', 'insurance', 0, 0, 0, 0, '', 0, 'insurance')");
      var charging = CompletableFuture.supplyAsync(() -> ledger.charge(aliceOnInsurance("q1", 0.3)));
      Thread.sleep(300); // lets the charge run into bob's uncommitted row (PostgreSQL) or write lock (SQLite)
      statement.execute("COMMIT");

      var failure = assertThrows(ExecutionException.class, () -> charging.get(20, TimeUnit.SECONDS));

      assertInstanceOf(IllegalArgumentException.class, failure.getCause());
    }
    assertEquals(PrivacyCost.ZERO, ledger.spent("alice", "insurance"));
  }

  @OnBothDatabases
  void charge_deltaBeyondItsBudget_isRefusedEvenWithEpsilonLeft(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    PrivacyCost budget = new PrivacyCost(10, 1e-6);
    PrivacyCost cost = new PrivacyCost(POINT_ONE, 4e-7);
    ledger.charge(request("q1", "alice", "insurance", cost, budget));
    ledger.charge(request("q2", "alice", "insurance", cost, budget));

    var refused = assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(request("q3", "alice", "insurance", cost, budget)));

    assertTrue(refused.getMessage().contains("has ε 9.8, δ 2E-7 left"), refused.getMessage());
    assertEquals(new PrivacyCost(0.2, 8e-7), ledger.spent("alice", "insurance"));
  }

  @OnBothDatabases
  void budgets_areSeparatePerScientistAndDataset(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.charge(aliceOnInsurance("q1", 1));

    ledger.charge(request("q2", "bob", "insurance", PrivacyCost.pure(1), BUDGET));
    ledger.charge(request("q3", "alice", "hospital", PrivacyCost.pure(1), BUDGET));

    assertAll(
        () -> assertEquals(PrivacyCost.pure(1), ledger.spent("alice", "insurance")),
        () -> assertEquals(PrivacyCost.pure(1), ledger.spent("bob", "insurance")),
        () -> assertEquals(PrivacyCost.pure(1), ledger.spent("alice", "hospital")));
  }

  @OnBothDatabases
  void charge_blankIds_areRejectedWithoutCharging(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);

    assertAll(
        rejected(() -> ledger.charge(aliceOnInsurance(" ", 0.1))),
        rejected(() -> ledger.charge(request("q1", "", "insurance", PrivacyCost.pure(0.1), BUDGET))),
        rejected(() -> ledger.charge(request("q1", "alice", "\t", PrivacyCost.pure(0.1), BUDGET))));

    assertEquals(List.of(), ledger.charges("insurance"));
  }

  @OnBothDatabases
  void charge_negativeNanOrHugeCost_isRejectedWithoutCharging(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);

    assertAll(
        rejected(() -> ledger.charge(aliceOnInsurance("q1", -0.1))),
        rejected(() -> ledger.charge(aliceOnInsurance("q1", Double.NaN))),
        rejected(() -> ledger.charge(request("q1", "alice", "insurance", new PrivacyCost(0.1, -1e-9), BUDGET))),
        rejected(() -> ledger.charge(request("q1", "alice", "insurance", PrivacyCost.pure(2e6),
            PrivacyCost.pure(1e300)))));

    assertEquals(List.of(), ledger.charges("insurance"));
  }

  private static Executable rejected(Executable call) {
    return () -> assertThrows(IllegalArgumentException.class, call);
  }

  @OnBothDatabases
  void spent_survivesReopeningTheLedger(TestDatabase backend) {
    String url = backend.newUrl(dir);
    try (PrivacyLedger ledger = PrivacyLedger.open(url)) {
      ledger.charge(aliceOnInsurance("q1", 0.7));
    }

    PrivacyLedger reopened = open(url);

    assertEquals(PrivacyCost.pure(0.7), reopened.spent("alice", "insurance"));
    assertThrows(BudgetExhaustedException.class, () -> reopened.charge(aliceOnInsurance("q2", 0.7)));
  }

  @OnBothDatabases
  void charges_listsTheDatasetsChargesOldestFirst(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.charge(aliceOnInsurance("q-c", POINT_ONE));
    clock.set(NOON.plusSeconds(1));
    ledger.charge(request("q-other", "alice", "hospital", PrivacyCost.pure(0.1), BUDGET));
    clock.set(NOON.plusSeconds(2));
    ledger.charge(request("q-a", "bob", "insurance", PrivacyCost.pure(0.2), BUDGET));
    clock.set(NOON.plusSeconds(3));
    ledger.charge(aliceOnInsurance("q-b", 0.25));

    List<Charge> charges = ledger.charges("insurance");

    assertEquals(List.of("q-c", "q-a", "q-b"), charges.stream().map(Charge::queryId).toList());
    assertEquals(List.of(NOON, NOON.plusSeconds(2), NOON.plusSeconds(3)),
        charges.stream().map(Charge::chargedAt).toList());
    assertEquals(PrivacyCost.pure(0.65), charges.get(2).remaining());
  }

  @OnBothDatabases
  void remaining_ofALoweredBudget_isZeroNotNegative(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.charge(aliceOnInsurance("q1", 0.8));

    assertEquals(PrivacyCost.ZERO, ledger.remaining("alice", new DatasetBudget("insurance", PrivacyCost.pure(0.5), TOTAL)));
  }

  @OnBothDatabases
  void open_unreachableDatabase_throwsLedgerUnavailable(TestDatabase backend) {
    var failure = assertThrows(LedgerException.class, () -> PrivacyLedger.open(backend.unreachableUrl(dir)));

    assertEquals("ledger_unavailable", failure.code());
    assertTrue(failure.getMessage().startsWith("Tried to open the privacy ledger at jdbc:"),
        failure.getMessage());
  }

  @OnBothDatabases
  void open_existingLedger_appliesEachMigrationOnce(TestDatabase backend) throws SQLException {
    String url = backend.newUrl(dir);
    open(url);
    open(url);

    assertEquals(Schema.LATEST, count(url, "SELECT COUNT(*) FROM privacy_ledger_migrations"));
  }

  @OnBothDatabases
  void open_ledgerWrittenByANewerVersion_isRefused(TestDatabase backend) throws SQLException {
    String url = backend.newUrl(dir);
    open(url);
    update(url, "INSERT INTO privacy_ledger_migrations VALUES (" + (Schema.LATEST + 1) + ", 'future', 0)");

    var refused = assertThrows(LedgerException.class, () -> PrivacyLedger.open(url));

    assertTrue(refused.getMessage().contains("Use a newer dcr"), refused.getMessage());
  }

  @Test
  void open_sqliteFile_switchesItToWriteAheadLogging() throws SQLException {
    String url = TestDatabase.SQLITE.newUrl(dir);
    open(url);

    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        var result = statement.executeQuery("PRAGMA journal_mode")) {
      result.next();
      assertEquals("wal", result.getString(1));
    }
  }

  @Test
  void open_inMemorySqlite_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> PrivacyLedger.open("jdbc:sqlite::memory:"));
  }

  @Test
  void open_otherDatabase_isRejected() {
    var rejected = assertThrows(IllegalArgumentException.class, () -> PrivacyLedger.open("jdbc:h2:mem:x?password=s3"));

    assertFalse(rejected.getMessage().contains("s3"), "URL parameters may hold a password: " + rejected.getMessage());
  }

  @Test
  void charge_onAClosedLedger_isRefused() {
    PrivacyLedger ledger = PrivacyLedger.open(TestDatabase.SQLITE.newUrl(dir));
    ledger.close();

    assertThrows(IllegalStateException.class, () -> ledger.charge(aliceOnInsurance("q1", 0.1)));
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static void update(String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      statement.executeUpdate(sql);
    }
  }

  /** Attack (issue 15, 4): each user had a budget of their own and nothing bound them together. */
  @OnBothDatabases
  void charge_byManySpenders_stopsAtTheDatasetsTotal(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    DatasetBudget budget = new DatasetBudget("sha256:data", PrivacyCost.pure(2), PrivacyCost.pure(2));
    ledger.charge(new ChargeRequest("a1", "alice", "insurance", PrivacyCost.pure(1.5), budget, "count"));
    // The same data under another name is the same budget.
    ledger.charge(new ChargeRequest("b1", "bob", "insurance-copy", PrivacyCost.pure(0.5), budget, "count"));

    var refused = assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(new ChargeRequest("c1", "carol", "insurance", PrivacyCost.pure(0.1), budget, "count")));
    assertTrue(refused.getMessage().startsWith("Budget exhausted: all users together have ε 0 left"), refused.getMessage());
    assertEquals(PrivacyCost.pure(2), ledger.spentByAll("sha256:data"));
    assertEquals(PrivacyCost.ZERO, ledger.remaining("carol", budget));
    assertEquals(List.of("a1", "b1"), ledger.charges("sha256:data").stream().map(Charge::queryId).toList());
  }

  /**
   * Attack (DP review, 1): each charge was checked against the total of the policy that asked, so the same data
   * served as "a" (total ε 2) and as "b" (total ε 20) reached ε 20. The key's lowest total and per-scientist
   * budget hold for every charge on it, whichever policy asks.
   */
  @OnBothDatabases
  void aLaterPolicyWithAHigherTotal_cannotRaiseWhatTheSameDataAllows(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    DatasetBudget strict = new DatasetBudget("sha256:data", PrivacyCost.pure(1), PrivacyCost.pure(2));
    DatasetBudget generous = new DatasetBudget("sha256:data", PrivacyCost.pure(20), PrivacyCost.pure(20));
    ledger.charge(new ChargeRequest("a1", "alice", "a", PrivacyCost.pure(0.5), strict, "count"));

    var ownBudget = assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(new ChargeRequest("b1", "alice", "b", PrivacyCost.pure(1), generous, "count")));
    assertTrue(ownBudget.getMessage().startsWith("Budget exhausted: alice has ε 0.5 left"), ownBudget.getMessage());
    for (String scientist : List.of("bob", "carol", "dave")) {
      ledger.charge(new ChargeRequest("b-" + scientist, scientist, "b", PrivacyCost.pure(0.5), generous, "count"));
    }
    assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(new ChargeRequest("b-erin", "erin", "b", PrivacyCost.pure(0.5), generous, "count")));
    assertEquals(PrivacyCost.pure(2), ledger.spentByAll("sha256:data"));
    assertEquals(PrivacyCost.ZERO, ledger.remaining("erin", generous));
    // A provider's charge (its own budget is the total) is held to the stored total as well.
    DatasetBudget providers = DatasetBudget.ofProvider("sha256:data", PrivacyCost.pure(20));
    assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(new ChargeRequest("p1", "owner", "b", PrivacyCost.pure(1), providers, "synthetic view")));
  }

  /** The first policy's budgets hold from the service's start, before any charge on the data. */
  @OnBothDatabases
  void aBudgetHeldBeforeAnyCharge_bindsTheFirstCharge(TestDatabase backend) {
    PrivacyLedger ledger = newLedger(backend);
    ledger.hold(new DatasetBudget("sha256:data", PrivacyCost.pure(1), PrivacyCost.pure(2)));
    DatasetBudget generous = new DatasetBudget("sha256:data", PrivacyCost.pure(20), PrivacyCost.pure(20));

    assertThrows(BudgetExhaustedException.class,
        () -> ledger.charge(new ChargeRequest("b1", "alice", "b", PrivacyCost.pure(1.5), generous, "count")));
    assertEquals(PrivacyCost.pure(1), ledger.remaining("alice", generous));
  }
}
