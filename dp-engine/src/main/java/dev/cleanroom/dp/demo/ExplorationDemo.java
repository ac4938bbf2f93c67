package dev.cleanroom.dp.demo;

import dev.cleanroom.dp.client.BudgetStatus;
import dev.cleanroom.dp.client.DpClient;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.client.HttpDpClient;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import java.io.PrintStream;
import java.net.URI;
import java.util.Map;

/**
 * The scientist's part of {@code ./dcr demo}: explores the insurance dataset through the DP query
 * service, as alice, and shows each answer's cost, its noise, and the budget left — until a query
 * no longer fits the budget and is refused without being charged.
 */
public final class ExplorationDemo {
  private static final String DATASET = "insurance";

  private final DpClient client;
  private final String scientist;
  private final PrintStream out;

  ExplorationDemo(DpClient client, String scientist, PrintStream out) {
    this.client = client;
    this.scientist = scientist;
    this.out = out;
  }

  /** usage: ExplorationDemo SERVICE_URL SCIENTIST, with the scientist's token in DCR_TOKEN. */
  public static void main(String[] args) {
    String token = System.getenv("DCR_TOKEN");
    if (args.length != 2 || token == null || token.isBlank()) {
      System.err.println("usage: DCR_TOKEN=<token> ExplorationDemo <DP query service URL> <scientist>");
      System.exit(2);
    }
    try {
      new ExplorationDemo(HttpDpClient.create(URI.create(args[0]), token), args[1], System.out).run();
    } catch (DpClientException e) {
      System.err.println("demo: the DP query service refused: " + e.getMessage() + " (" + e.code() + ")");
      System.exit(1);
    }
  }

  void run() {
    BudgetStatus budget = client.budget(DATASET);
    out.printf("DP exploration of '%s' as %s through the DP query service; budget %s, spent so far %s%n%n",
        DATASET, scientist, budget.budget(), budget.spent());
    out.printf("%-28s %14s %16s %12s %16s%n", "query", "answer", "cost", "noise scale", "budget left");
    try {
      scalar(DpQuery.count(0.1));
      scalar(DpQuery.mean("age", 0.2));
      scalar(DpQuery.mean("bmi", 0.2));
      byGroup(DpQuery.mean("charges", 0.2), "smoker");
      scalar(DpQuery.median("charges", 0.2));
      scalar(new DpQuery.Sum("children", 0.2, 1e-6));
      histogram(DpQuery.histogram("region", 0.2));
      histogram(DpQuery.histogram("smoker", 0.2));
    } catch (DpClientException e) {
      if (!e.code().equals("budget_exhausted")) {
        throw e;
      }
      out.println("Refused, nothing charged: " + e.getMessage());
    }
    out.printf("%nBudget left for %s on '%s': %s of %s%n", scientist, DATASET, client.budget(DATASET).remaining(),
        budget.budget());
    try {
      client.query(DATASET, DpQuery.mean("charges", 1));
      out.println("One more query of ε 1 was answered: the budget still allowed it.");
    } catch (DpClientException e) {
      out.println("One more query of ε 1 is refused and charges nothing: " + e.getMessage());
    }
  }

  private void scalar(DpQuery<? extends Number> query) {
    ChargedAnswer<? extends Number> charged = client.query(DATASET, query);
    var answer = charged.answer();
    out.printf("%-28s %,14.1f %16s %12.4g %16s%n", query.describe(), answer.value().doubleValue(),
        answer.cost(), answer.noiseScale(), charged.remaining());
  }

  /** One answer per declared category of {@code column}, all for the cost of one (the groups are disjoint). */
  private void byGroup(DpQuery<Double> query, String column) {
    GroupedAnswer<Double> grouped = client.queryByGroup(DATASET, query, Map.of(), column);
    out.printf("%-28s %14s %16s %12s %16s%n", query.describe() + " by " + column, "", grouped.cost(),
        "(per group)", grouped.remaining());
    grouped.groups().forEach((group, answer) -> out.printf("    %-24s %,14.1f %16s %12.4g%n", group, answer.value(), "",
        answer.noiseScale()));
  }

  private void histogram(DpQuery<Map<String, Long>> query) {
    ChargedAnswer<Map<String, Long>> charged = client.query(DATASET, query);
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
