package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.DpQueryEngine;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.testing.InsuranceData;

/**
 * The child process of {@link PrivacyLedgerCrashTest}: answers real DP queries on the insurance data
 * through the engine, from several threads, as fast as it can until it is killed, printing
 * {@code RELEASED <queryId> <answer>} for each answer the engine released.
 *
 * <p>Usage: {@code QueryStorm <jdbcUrl> <threads>}; runs in the dp-engine module directory.
 */
final class QueryStorm {
  static final String SCIENTIST = "alice";
  static final String DATASET = "insurance";
  static final PrivacyCost BUDGET = PrivacyCost.pure(1_000_000);

  private QueryStorm() {}

  /** The insurance policy with a budget the storm cannot exhaust before it is killed. */
  static DatasetPolicy policy() {
    return InsuranceData.policyWithBudget(BUDGET, PrivacyCost.pure(1));
  }

  public static void main(String[] args) throws Exception {
    PrivacyLedger ledger = PrivacyLedger.open(args[0]);
    int threads = Integer.parseInt(args[1]);
    DpQueryEngine engine = new DpQueryEngine(InsuranceData.table(policy()), DATASET, ledger);
    for (int t = 0; t < threads; t++) {
      String prefix = "storm-" + t + "-";
      Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; ; i++) {
            ChargedAnswer<Long> answer = engine.answer(SCIENTIST, prefix + i, DpQuery.count(0.001));
            System.out.println("RELEASED " + answer.queryId() + " " + answer.answer().value());
            System.out.flush();
          }
        } catch (RuntimeException e) {
          e.printStackTrace();
          System.exit(2); // the parent sees the exit and this trace instead of waiting for releases
        }
      });
    }
  }
}
