package dev.cleanroom.dp.ledger;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;

class PrivacyLedgerConcurrencyTest {
  private static final int THREADS = 32;
  private static final int ATTEMPTS = 2 * THREADS;
  private static final PrivacyCost BUDGET = PrivacyCost.pure(1);
  /** 33 × 0.03 = 0.99 fits a budget of 1; a 34th would make 1.02. */
  private static final PrivacyCost COST = PrivacyCost.pure(0.03);
  private static final int AFFORDABLE = 33;

  @TempDir Path dir;

  @OnBothDatabases
  void concurrentCharges_toOneBudget_chargeExactlyWhatItAffordsAndRefuseTheRest(TestDatabase backend) throws Exception {
    List<Charge> charged = new ArrayList<>();
    List<Throwable> refused = new ArrayList<>();
    PrivacyCost spent;
    try (PrivacyLedger ledger = PrivacyLedger.open(backend.newUrl(dir));
        ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Charge>> attempts = new ArrayList<>();
      for (int i = 0; i < ATTEMPTS; i++) {
        ChargeRequest request = new ChargeRequest("q" + i, "alice", "insurance", COST,
            new DatasetBudget("insurance", BUDGET, BUDGET), "mean of charges");
        attempts.add(threads.submit(() -> {
          start.await(); // all threads charge at once rather than as they are started
          return ledger.charge(request);
        }));
      }
      start.countDown();
      for (Future<Charge> attempt : attempts) {
        try {
          charged.add(attempt.get(30, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          refused.add(e.getCause());
        }
      }
      spent = ledger.spent("alice", "insurance");
    }

    BigDecimal sumCharged = charged.stream()
        .map(charge -> new BigDecimal(Double.toString(charge.cost().epsilon())))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    // Each success saw a different amount left (0.97, 0.94, ..., 0.01): no two checks overlapped.
    Set<Double> leftAfterEach = IntStream.rangeClosed(1, AFFORDABLE)
        .mapToObj(n -> BigDecimal.ONE.subtract(new BigDecimal("0.03").multiply(BigDecimal.valueOf(n))).doubleValue())
        .collect(Collectors.toSet());
    assertAll(
        () -> assertEquals(AFFORDABLE, charged.size(), "charges that succeeded"),
        () -> assertEquals(new BigDecimal("0.99"), sumCharged.stripTrailingZeros(), "sum of the charges returned"),
        () -> assertEquals(PrivacyCost.pure(0.99), spent, "spent according to the ledger"),
        () -> assertTrue(spent.fitsWithin(BUDGET)),
        () -> assertEquals(leftAfterEach,
            charged.stream().map(charge -> charge.remaining().epsilon()).collect(Collectors.toSet())),
        () -> assertEquals(ATTEMPTS - AFFORDABLE, refused.size(), "charges refused"),
        () -> refused.forEach(failure -> {
          var exhausted = assertInstanceOf(BudgetExhaustedException.class, failure);
          assertTrue(exhausted.getMessage().contains("alice has ε 0.01 left"), exhausted.getMessage());
        }));
  }
}
