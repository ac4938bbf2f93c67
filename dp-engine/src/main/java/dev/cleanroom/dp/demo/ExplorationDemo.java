package dev.cleanroom.dp.demo;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.DpQueryEngine;
import dev.cleanroom.dp.ledger.BudgetExhaustedException;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code ./dcr demo}, for now: a scientist explores the insurance dataset with DP queries charged to a
 * fresh budget, and sees each answer's cost, its noise, and the budget left, until the budget runs out.
 */
public final class ExplorationDemo {
  private static final String SCIENTIST = "alice";

  private final DpQueryEngine engine;
  private final PrintStream out;

  ExplorationDemo(DpQueryEngine engine, PrintStream out) {
    this.engine = engine;
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ExplorationDemo <dataset folder with real.csv and policy.yaml>");
      System.exit(2);
    }
    Path dataset = Path.of(args[0]);
    Path ledgerFile = Files.createTempDirectory("dcr-demo").resolve("ledger.db");
    try (PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + ledgerFile)) {
      PrivateTable table = PrivateTable.load(dataset.resolve("real.csv"), PolicyFile.read(dataset.resolve("policy.yaml")));
      new ExplorationDemo(new DpQueryEngine(table, ledger), System.out).run();
    }
  }

  void run() {
    PrivacyCost budget = engine.budget();
    out.printf("DP exploration of '%s' as scientist %s, budget %s (a fresh ledger for this demo)%n%n",
        engine.dataset(), SCIENTIST, budget);
    out.printf("%-28s %14s %16s %12s %16s%n", "query", "answer", "cost", "noise scale", "budget left");
    scalar(DpQuery.count(0.1));
    scalar(DpQuery.mean("age", 0.2));
    scalar(DpQuery.mean("bmi", 0.2));
    scalar(DpQuery.mean("charges", 0.2));
    scalar(DpQuery.median("charges", 0.2));
    scalar(new DpQuery.Sum("children", 0.2, 1e-6));
    histogram(DpQuery.histogram("region", 0.2));
    histogram(DpQuery.histogram("smoker", 0.2));
    out.printf("%nBudget left for %s on '%s': %s of %s%n", SCIENTIST, engine.dataset(),
        engine.remaining(SCIENTIST), budget);
    try {
      engine.answer(SCIENTIST, DpQuery.mean("charges", 1));
      out.println("A query of ε 1 was answered (unexpected: the budget should not allow it)");
    } catch (BudgetExhaustedException e) {
      out.println("One more query of ε 1 is refused and charges nothing: " + e.getMessage());
    }
  }

  private void scalar(DpQuery<? extends Number> query) {
    ChargedAnswer<? extends Number> charged = engine.answer(SCIENTIST, query);
    var answer = charged.answer();
    out.printf("%-28s %,14.1f %16s %12.4g %16s%n", query.describe(), answer.value().doubleValue(),
        answer.cost(), answer.noiseScale(), charged.remaining());
  }

  private void histogram(DpQuery<Map<String, Long>> query) {
    ChargedAnswer<Map<String, Long>> charged = engine.answer(SCIENTIST, query);
    var answer = charged.answer();
    out.printf("%-28s %14s %16s %12.4g %16s%n", query.describe(), "", answer.cost(), answer.noiseScale(),
        charged.remaining());
    long largest = answer.value().values().stream().mapToLong(Long::longValue).max().orElse(1);
    answer.value().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(bucket -> {
      int width = (int) Math.max(0, Math.round(40.0 * bucket.getValue() / Math.max(1, largest)));
      out.printf("    %-12s %6d %s%n", bucket.getKey(), bucket.getValue(), "█".repeat(width));
    });
  }
}
