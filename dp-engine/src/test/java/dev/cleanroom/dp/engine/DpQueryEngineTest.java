package dev.cleanroom.dp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.BudgetExhaustedException;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.QueryRejectedException;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import dev.cleanroom.dp.testing.InsuranceData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpQueryEngineTest {
  @TempDir Path dir;
  private PrivacyLedger ledger;
  private DpQueryEngine engine;

  @BeforeEach
  void openLedger() {
    ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"));
    engine = new DpQueryEngine(InsuranceData.table(InsuranceData.policy()), "insurance", ledger);
  }

  @AfterEach
  void closeLedger() {
    ledger.close();
  }

  private PrivacyCost spent() {
    return ledger.spent("alice", "insurance");
  }

  @Test
  void answer_chargesWhatTheMechanismCostAndReportsWhatIsLeft() {
    ChargedAnswer<Double> answer = engine.answer("alice", DpQuery.mean("charges", 0.5));
    assertEquals(0.5, spent().epsilon(), 1e-9);
    assertEquals(1.5, answer.remaining().epsilon(), 1e-9);
    assertEquals(engine.remaining("alice"), answer.remaining());
  }

  @Test
  void rejectedQueries_chargeNothing() {
    assertThrows(QueryRejectedException.class, () -> engine.answer("alice", DpQuery.mean("salary", 0.1)));
    assertThrows(QueryRejectedException.class, () -> engine.answer("alice", DpQuery.count(-1)));
    assertThrows(QueryRejectedException.class, () -> engine.answer("alice", DpQuery.count(1.5)));
    assertThrows(QueryRejectedException.class, () -> engine.answer("alice", DpQuery.mean("region", 0.1)));
    assertEquals(PrivacyCost.ZERO, spent());
    assertTrue(ledger.charges("insurance").isEmpty());
  }

  @Test
  void aQueryOverTheBudget_isRefusedWithWhatIsLeftAndChargesNothing() {
    engine.answer("alice", DpQuery.count(1));
    engine.answer("alice", DpQuery.count(0.75));
    BudgetExhaustedException e =
        assertThrows(BudgetExhaustedException.class, () -> engine.answer("alice", DpQuery.count(0.5)));
    assertEquals("budget_exhausted", e.code());
    assertEquals(0.25, e.remaining().epsilon(), 1e-9);
    assertTrue(e.getMessage().contains("alice has ε 0.25"), e.getMessage());
    assertEquals(1.75, spent().epsilon(), 1e-9);
  }

  @Test
  void budgetsArePerScientist() {
    engine.answer("alice", DpQuery.count(1));
    assertEquals(2, engine.remaining("bob").epsilon(), 1e-12);
  }

  /**
   * The attack of issue 15: one person's row holds a sex no mechanism accepts (a NUL inside). If a charged
   * histogram failed on that row, {@code histogram(sex) where smoker=yes} would fail exactly when the person
   * smokes, one exact bit per query for a negligible ε. Every value is a declared category or (other) from
   * load on, so the query is answered whichever rows the filter keeps.
   */
  @Test
  void aValueNoMechanismAccepts_cannotMakeAChargedQueryFail() throws Exception {
    CsvFile real = CsvFile.read(InsuranceData.CSV);
    List<List<String>> rows = new ArrayList<>(real.rows());
    rows.add(List.of("40", "fe\0male", "30.0", "1", "yes", "southwest", "12000"));
    DpQueryEngine attacked = new DpQueryEngine(
        PrivateTable.of(new CsvFile(real.header(), rows), InsuranceData.policy()), "insurance", ledger);

    ChargedAnswer<Map<String, Long>> answer =
        attacked.answer("alice", "q-sex", DpQuery.histogram("sex", 1e-3), Map.of("smoker", "yes"));

    assertEquals(List.of("female", "male", "(other)"), List.copyOf(answer.answer().value().keySet()));
    assertEquals(1, ledger.charges("insurance").size());
  }

  /** The ledger charges a cost's exact binary value rounded up; queries asked at ε 0.1 still fit ten to ε 1. */
  @Test
  void tenQueriesAskedAtPointOne_fitABudgetOfOneExactly() {
    DatasetPolicy policy = InsuranceData.policyWithBudget(new PrivacyCost(1, 1e-6), new PrivacyCost(1, 1e-6));
    DpQueryEngine tight = new DpQueryEngine(InsuranceData.table(policy), "insurance", ledger);
    for (int i = 0; i < 5; i++) {
      tight.answer("alice", DpQuery.mean("charges", 0.1));
      tight.answer("alice", new DpQuery.Count(0.1, 1e-7));
    }
    // OpenDP's map lands each cost within 1e-9 of what was asked, at or below it.
    assertEquals(0, tight.remaining("alice").epsilon(), 1e-8);
    assertEquals(5e-7, tight.remaining("alice").delta());
  }

  @Test
  void aQueryIdIsAnsweredOnce() {
    engine.answer("alice", "q-1", DpQuery.count(0.1));
    QueryRejectedException e = assertThrows(QueryRejectedException.class,
        () -> engine.answer("alice", "q-1", DpQuery.count(0.1)));
    assertEquals("query_id_reused", e.code());
    assertEquals(0.1, spent().epsilon(), 1e-9);
  }

  @Test
  void aFilteredQuery_costsWhatTheQueryCosts_andTheAuditLogSaysWhichRows() {
    ChargedAnswer<Long> smokers = engine.answer("alice", "q-smokers", DpQuery.count(1), Map.of("smoker", "yes"));

    // 274 of the 1,338 rows are smokers; Laplace noise at ε 1 has scale 1, so ±40 is never reached.
    assertTrue(Math.abs(smokers.answer().value() - 274) < 40, smokers.answer().toString());
    assertEquals(1.0, spent().epsilon(), 1e-9);
    assertEquals("count() where smoker=yes", ledger.charges("insurance").get(0).description());
  }

  @Test
  void aGroupBy_answersEveryDeclaredCategory_underOneChargeOfOneGroupsCost() {
    GroupedAnswer<Long> bySmoker = engine.answerByGroup("alice", "q-groups", DpQuery.count(1), Map.of(), "smoker");

    assertEquals(List.of("yes", "no"), List.copyOf(bySmoker.groups().keySet()));
    assertTrue(Math.abs(bySmoker.groups().get("yes").value() - 274) < 40, bySmoker.groups().toString());
    assertTrue(Math.abs(bySmoker.groups().get("no").value() - 1064) < 40, bySmoker.groups().toString());
    assertEquals(1.0, bySmoker.cost().epsilon(), 1e-9);
    assertEquals(1.0, spent().epsilon(), 1e-9);
    assertEquals(1.0, bySmoker.remaining().epsilon(), 1e-9);
    assertEquals(List.of("count() group by smoker"),
        ledger.charges("insurance").stream().map(Charge::description).toList());
  }

  @Test
  void aGroupByOfFourRegions_fitsABudgetThatHoldsOneRegionsCostButNotFour() {
    engine.answer("alice", DpQuery.count(1));
    engine.answer("alice", DpQuery.count(0.5));

    GroupedAnswer<Double> byRegion = engine.answerByGroup(
        "alice", "q-regions", DpQuery.mean("charges", 0.5), Map.of("smoker", "no"), "region");

    assertEquals(4, byRegion.groups().size());
    assertEquals(PrivacyCost.ZERO.epsilon(), byRegion.remaining().epsilon(), 1e-9);
    assertEquals("mean(charges) where smoker=no group by region", ledger.charges("insurance").get(2).description());
    BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
        () -> engine.answerByGroup("alice", "q-more", DpQuery.count(0.1), Map.of(), "region"));
    assertEquals(0, e.remaining().epsilon(), 1e-9);
  }

  @Test
  void aGaussianGroupBy_chargesTheEpsilonAndDeltaOfOneGroup() {
    ChargedAnswer<Double> single = engine.answer("alice", new DpQuery.Mean("charges", 0.4, 2e-7));
    PrivacyCost one = single.answer().cost();

    GroupedAnswer<Double> byRegion = engine.answerByGroup(
        "alice", "q-gauss", new DpQuery.Mean("charges", 0.4, 2e-7), Map.of(), "region");

    assertEquals("gaussian", byRegion.groups().get("northwest").mechanism());
    assertEquals(one, byRegion.cost());
    assertEquals(2 * one.delta(), spent().delta(), 1e-15);
    assertEquals(2 * one.epsilon(), spent().epsilon(), 1e-9);
  }

  @Test
  void aGroupByTheEngineCannotAnswer_isRefusedBeforeAnyCharge() {
    List<QueryRejectedException> refusals = List.of(
        assertThrows(QueryRejectedException.class,
            () -> engine.answerByGroup("alice", "q-1", DpQuery.count(0.1), Map.of(), "charges")),
        assertThrows(QueryRejectedException.class,
            () -> engine.answerByGroup("alice", "q-2", DpQuery.count(0.1), Map.of(), "salary")),
        assertThrows(QueryRejectedException.class,
            () -> engine.answerByGroup("alice", "q-3", DpQuery.count(0.1), Map.of("region", "northeast"), "region")),
        assertThrows(QueryRejectedException.class,
            () -> engine.answerByGroup("alice", "q-4", DpQuery.count(0.1), Map.of("smoker", "sometimes"), "region")),
        assertThrows(QueryRejectedException.class,
            () -> engine.answerByGroup("alice", "q-5", DpQuery.count(1.5), Map.of(), "region")));

    assertEquals(List.of("wrong_column_type", "unknown_column", "invalid_request", "unknown_category", "over_query_cap"),
        refusals.stream().map(QueryRejectedException::code).toList());
    assertTrue(ledger.charges("insurance").isEmpty());
  }

  @Test
  void aGroupByUnderAQueryIdAlreadyCharged_isRefused() {
    engine.answer("alice", "q-1", DpQuery.count(0.1));
    QueryRejectedException e = assertThrows(QueryRejectedException.class,
        () -> engine.answerByGroup("alice", "q-1", DpQuery.count(0.1), Map.of(), "region"));
    assertEquals("query_id_reused", e.code());
    assertEquals(0.1, spent().epsilon(), 1e-9);
  }

  /** 40 threads race queries of ε 0.03 at one budget of ε 1 (the insurance policy's per-query cap allows it). */
  @Test
  void concurrentQueries_neverOverspendAndExactlyTheAffordableNumberSucceed() throws Exception {
    DatasetPolicy policy = InsuranceData.policyWithBudget(PrivacyCost.pure(1), PrivacyCost.pure(1));
    DpQueryEngine tight = new DpQueryEngine(InsuranceData.table(policy), "insurance", ledger);
    int threads = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger answered = new AtomicInteger();
    List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 2; i++) {
          try {
            tight.answer("alice", DpQuery.count(0.03));
            answered.incrementAndGet();
          } catch (BudgetExhaustedException e) {
            refusals.add(e.getMessage());
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> future : futures) {
      future.get();
    }
    pool.shutdown();
    // OpenDP's map gives at most 0.03 per query, so 33 fit in ε 1 and a 34th would not.
    assertEquals(33, answered.get());
    assertEquals(80 - 33, refusals.size());
    assertTrue(spent().epsilon() <= 1, "spent " + spent());
    assertTrue(refusals.stream().allMatch(message -> message.contains("left on dataset 'insurance'")), refusals.get(0));
  }
}
