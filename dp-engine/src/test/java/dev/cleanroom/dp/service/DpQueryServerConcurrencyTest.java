package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.testing.InsuranceData;
import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.client.DpClient;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.mechanisms.DpQuery;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients at once on one scientist's budget: exactly what fits is answered, nothing more. */
class DpQueryServerConcurrencyTest {
  private static final int CLIENTS = 32;
  private static final int QUERIES_PER_CLIENT = 3;
  private static final PrivacyCost BUDGET = PrivacyCost.pure(1);
  private static final double EPSILON = 0.1;

  @TempDir Path dir;

  @Test
  void concurrentClientsCannotOverspend_andExactlyTheAffordableQueriesAreAnswered() throws Exception {
    try (ServiceFixture service = ServiceFixture.start(dir,
        ServiceFixture.policy("insurance", "pat", List.of(), BUDGET, PrivacyCost.pure(0.5)))) {
      Queue<ChargedAnswer<Long>> answered = new ConcurrentLinkedQueue<>();
      Queue<DpClientException> refused = new ConcurrentLinkedQueue<>();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        DpClient alice = service.client("alice"); // one client, and so one connection pool, per thread
        runs.add(clients.submit(() -> {
          go.await();
          for (int q = 0; q < QUERIES_PER_CLIENT; q++) {
            try {
              answered.add(alice.query("insurance", DpQuery.count(EPSILON)));
            } catch (DpClientException e) {
              refused.add(e);
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
      clients.shutdown();

      List<Charge> charges = service.ledger().charges(InsuranceData.BUDGET_KEY);
      BigDecimal cost = decimal(answered.peek().answer().cost().epsilon());
      BigDecimal spent = charges.stream().map(c -> decimal(c.cost().epsilon())).reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal left = decimal(BUDGET.epsilon()).subtract(spent);
      assertAll(
          () -> assertEquals(CLIENTS * QUERIES_PER_CLIENT, answered.size() + refused.size()),
          () -> assertTrue(refused.stream().allMatch(e -> e.httpStatus() == 429 && e.code().equals("budget_exhausted")),
              "every refusal is over budget"),
          () -> assertEquals(answered.size(), charges.size(), "one charge per answer"),
          () -> assertEquals(answered.stream().map(ChargedAnswer::queryId).sorted().toList(),
              charges.stream().map(Charge::queryId).sorted().toList()),
          () -> assertTrue(spent.compareTo(decimal(BUDGET.epsilon())) <= 0, "spent " + spent + " within the budget"),
          () -> assertTrue(left.compareTo(cost) < 0, "one more query (" + cost + ") would not fit in " + left),
          () -> assertEquals(10, answered.size(), "ε 1 pays for ten queries of ε 0.1"));
    }
  }

  private static BigDecimal decimal(double value) {
    return new BigDecimal(Double.toString(value));
  }
}
