package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.mechanisms.DraftReleases;
import dev.cleanroom.dp.mechanisms.DraftReleases.Released;
import dev.cleanroom.dp.policy.SourceFormat;
import dev.cleanroom.dp.table.CsvFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * {@code dcr provision --infer}: drafts a policy.yaml from a CSV for the provider to edit.
 *
 * <p>Invariant: without {@code reveal}, everything in the draft that depends on the data is a DP release
 * made with OpenDP under the provider's stated (ε, δ), split evenly over the columns: whether a column is
 * numeric (two noisy counts, a tenth of the column's ε), whether it has missing values and at what rate (a third
 * noisy count), its bounds (two private quantiles over a public grid), or its categories (key
 * release: only values whose noisy count passes a threshold). The draft records that spend with a ledger id
 * ({@code drafted:}), which provisioning charges to the dataset's total. With {@code reveal}, the data's own
 * values are copied, nothing is spent, and the draft lists the columns they are in: the policy is refused
 * until the provider confirms them.
 */
public final class PolicyDraft {
  /** What a draft spends unless the provider says otherwise. */
  public static final PrivacyCost DEFAULT_COST = new PrivacyCost(1.0, 1e-7);
  private static final double LOWER_QUANTILE = 0.01;
  private static final double UPPER_QUANTILE = 0.99;

  private PolicyDraft() {}

  /** The draft's text and what making it spent. */
  public record Draft(String yaml, PrivacyCost spent) {}

  /** @param cost the (ε, δ) the draft may spend on the data; ignored with {@code reveal} */
  public static Draft infer(CsvFile csv, String dataset, String owner, boolean reveal, PrivacyCost cost) {
    int columns = csv.header().size();
    PrivacyCost perColumn = new PrivacyCost(cost.epsilon() / columns, cost.delta() / columns);
    StringBuilder body = new StringBuilder();
    List<String> revealed = new ArrayList<>();
    PrivacyCost spent = PrivacyCost.ZERO;
    for (int column = 0; column < columns; column++) {
      // Missing markers are never a category and do not make a column non-numeric: loading reads them as missing.
      List<String> values = new ArrayList<>();
      for (List<String> row : csv.rows()) {
        if (!SourceFormat.DEFAULT.isMissing(row.get(column))) {
          values.add(row.get(column).strip());
        }
      }
      int missing = csv.rows().size() - values.size();
      String name = csv.header().get(column);
      Column drafted = reveal ? revealed(values, missing) : estimated(values, missing, perColumn);
      if (drafted.revealed()) {
        revealed.add(name);
      }
      spent = spent.plus(drafted.spent());
      body.append("  ").append(yamlKey(name)).append(": ").append(drafted.yaml()).append('\n');
    }
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Drafted by 'dcr provision --infer'").append(reveal ? " --reveal" : "")
        .append(". Review every line: this file decides what scientists may learn.\n");
    yaml.append("# Format: docs/policy.md\n");
    yaml.append("dataset: ").append(dataset).append('\n');
    yaml.append("owner: ").append(owner).append('\n');
    yaml.append("description: \"\"\n");
    yaml.append("scientists: []            # empty: every scientist may use it\n");
    yaml.append("views: [dp-query, mock]   # add synthetic to make DP synthetic data (spends the ε below)\n");
    yaml.append("columns:\n").append(body);
    yaml.append("budget:\n");
    yaml.append("  per_scientist: {epsilon: 1.0, delta: 1.0e-6}\n");
    yaml.append("  per_query:     {epsilon: 0.5, delta: 1.0e-6}\n");
    yaml.append("  dataset_total: {epsilon: 3.0, delta: 3.0e-6}   # all users and views, this draft's spend included\n");
    yaml.append("synthetic: {epsilon: 1.0, delta: 1.0e-6}\n");
    yaml.append("invalid_values: clamp     # or reject: refuse data with NaN, missing or out-of-bounds values\n");
    yaml.append("outputs: {release: required}\n");
    yaml.append("# What drafting did to the real data; keep it: provisioning charges the spend to the dataset's total.\n");
    yaml.append("drafted:\n");
    if (!reveal) {
      yaml.append("  epsilon: ").append(spent.epsilon()).append('\n');
      yaml.append("  delta: ").append(spent.delta()).append('\n');
    }
    yaml.append("  spend_id: ").append(UUID.randomUUID()).append('\n');
    if (!revealed.isEmpty()) {
      yaml.append("  revealed: [").append(revealed.stream().map(PolicyDraft::yamlString).collect(Collectors.joining(", ")))
          .append("]   # these columns hold the data's own values\n");
      yaml.append("  reveal_confirmed: false   # true once you have reviewed them; until then the policy is refused\n");
    }
    return new Draft(yaml.toString(), reveal ? PrivacyCost.ZERO : spent);
  }

  private record Column(String yaml, PrivacyCost spent, boolean revealed) {}

  private static boolean isNumber(String value) {
    try {
      return Double.isFinite(Double.parseDouble(value));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** A column drafted from DP releases only, spending at most {@code budget}. */
  private static Column estimated(List<String> values, int missingCells, PrivacyCost budget) {
    List<String> numbers = values.stream().filter(PolicyDraft::isNumber).toList();
    // A tenth of the column's ε decides its type: a noisy count of numbers against one of the rest (thousands
    // of rows apart in a real column). The two sets are disjoint, but each is paid for. A twentieth counts the
    // missing cells, which say whether the column allows missing values and at what rate the mock view has them.
    double typeEpsilon = budget.epsilon() / 20;
    Released<Long> numeric = DraftReleases.count(numbers.size(), typeEpsilon);
    Released<Long> other = DraftReleases.count(values.size() - numbers.size(), typeEpsilon);
    Released<Long> missing = DraftReleases.count(missingCells, typeEpsilon);
    PrivacyCost spent = numeric.cost().plus(other.cost()).plus(missing.cost());
    double rest = budget.epsilon() * 17 / 20;
    String missingValues = missingValues(missing.value(), numeric.value() + other.value() + missing.value());
    if (numeric.value() > other.value()) {
      double[] parsed = numbers.stream().mapToDouble(Double::parseDouble).toArray();
      Released<Double> lower = DraftReleases.quantile(parsed, LOWER_QUANTILE, rest / 2);
      Released<Double> upper = DraftReleases.quantile(parsed, UPPER_QUANTILE, rest / 2);
      spent = spent.plus(lower.cost()).plus(upper.cost());
      if (!(lower.value() < upper.value())) {
        return new Column("{type: numeric, lower: TODO, upper: TODO" + missingValues + "}   # the DP estimates of the 1st and 99th"
            + " percentile did not separate; declare bounds from domain knowledge", spent, false);
      }
      return new Column("{type: numeric, lower: " + number(lower.value()) + ", upper: " + number(upper.value())
          + missingValues + "}   # DP estimates of the 1st and 99th percentile: widen to public bounds (or type: integer)", spent,
          false);
    }
    Released<List<String>> categories = DraftReleases.categories(values, rest, budget.delta());
    spent = spent.plus(categories.cost());
    if (categories.value().isEmpty()) {
      return new Column("{type: excluded}   # no value is common enough to release privately; declare the categories"
          + " and make it categorical, or keep it excluded", spent, false);
    }
    return new Column("{type: categorical, categories: [" + categories.value().stream().map(PolicyDraft::yamlString)
        .collect(Collectors.joining(", ")) + "]" + missingValues + "}   # the common values (OpenDP key release); add the rarer"
        + " real categories by hand", spent, false);
  }

  /** A column drafted by copying the data's own values: what {@code --reveal} asks for. */
  private static Column revealed(List<String> values, int missingCells) {
    String missingValues = missingValues(missingCells, values.size() + missingCells);
    if (values.isEmpty()) {
      return new Column("{type: excluded}   # no values: declare a type or keep it excluded", PrivacyCost.ZERO, false);
    }
    if (values.stream().allMatch(PolicyDraft::isNumber)) {
      double[] numbers = values.stream().mapToDouble(Double::parseDouble).toArray();
      boolean integer = java.util.Arrays.stream(numbers).allMatch(n -> n == Math.rint(n));
      double min = java.util.Arrays.stream(numbers).min().orElseThrow();
      double max = java.util.Arrays.stream(numbers).max().orElseThrow();
      return new Column("{type: " + (integer ? "integer" : "numeric") + ", lower: " + number(min) + ", upper: "
          + number(max) + missingValues + "}   # REVEALED: the data's own min and max; widen to public bounds if you can",
          PrivacyCost.ZERO, true);
    }
    String list = new TreeSet<>(values).stream().map(PolicyDraft::yamlString).collect(Collectors.joining(", "));
    return new Column("{type: categorical, categories: [" + list + "]" + missingValues + "}   # REVEALED: every value seen in the data",
        PrivacyCost.ZERO, true);
  }

  /**
   * The column's {@code missing} field when {@code missing} of {@code total} cells are missing (noisy counts, or
   * with --reveal the real ones): the mock view's rate is their share. A noisy count above 0 when no cell is
   * missing only gives the mock view missing cells it need not have; the provider reviews the draft.
   */
  private static String missingValues(long missing, long total) {
    if (missing <= 0) {
      return "";
    }
    double rate = Math.min(1, (double) missing / Math.max(1, total));
    return ", missing: {mock_rate: " + String.format(Locale.ROOT, "%.3f", rate) + "}";
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%s", value);
  }

  /** Quotes every string: YAML would otherwise read yes/no/on/off as booleans and 1e3 as a number. */
  private static String yamlString(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String yamlKey(String name) {
    return name.matches("[A-Za-z_][A-Za-z0-9_]*") ? name : yamlString(name);
  }
}
