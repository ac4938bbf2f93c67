package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.table.CsvFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code dcr provision --infer}: drafts a policy.yaml from a CSV for the provider to edit.
 *
 * <p>Invariant: without {@code reveal}, the draft holds no value taken from the data that could single
 * out a person: bounds are left for the provider to declare (a column's minimum or maximum is one
 * person's value) and only categories shared by at least {@link #MIN_CATEGORY_ROWS} rows are listed.
 * With {@code reveal}, the provider has confirmed that copying them is acceptable, and each copied value
 * is marked in the draft so it can be reviewed.
 */
public final class PolicyDraft {
  /** A category seen in fewer rows than this is left out of a draft unless revealed. */
  public static final int MIN_CATEGORY_ROWS = 10;

  private PolicyDraft() {}

  public static String infer(CsvFile csv, String dataset, String owner, boolean reveal) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Drafted by 'dcr provision --infer'").append(reveal ? " --reveal" : "")
        .append(". Review every line: this file decides what scientists may learn.\n");
    yaml.append("# Format: docs/policy.md\n");
    yaml.append("dataset: ").append(dataset).append('\n');
    yaml.append("owner: ").append(owner).append('\n');
    yaml.append("description: \"\"\n");
    yaml.append("scientists: []            # empty: every scientist may use it\n");
    yaml.append("views: [dp-query, mock]   # add synthetic to make DP synthetic data (spends the ε below)\n");
    yaml.append("columns:\n");
    for (int column = 0; column < csv.header().size(); column++) {
      List<String> values = new ArrayList<>();
      for (List<String> row : csv.rows()) {
        values.add(row.get(column).strip());
      }
      yaml.append("  ").append(yamlKey(csv.header().get(column))).append(": ")
          .append(describe(values, reveal)).append('\n');
    }
    yaml.append("budget:\n");
    yaml.append("  per_scientist: {epsilon: 1.0, delta: 1.0e-6}\n");
    yaml.append("  per_query:     {epsilon: 0.5, delta: 1.0e-6}\n");
    yaml.append("synthetic: {epsilon: 1.0, delta: 1.0e-6}\n");
    yaml.append("invalid_values: clamp     # or reject: refuse data with NaN, missing or out-of-bounds values\n");
    yaml.append("outputs: {release: required}\n");
    return yaml.toString();
  }

  private static String describe(List<String> values, boolean reveal) {
    List<Double> numbers = new ArrayList<>();
    for (String value : values) {
      if (value.isEmpty()) {
        continue;
      }
      try {
        numbers.add(Double.parseDouble(value));
      } catch (NumberFormatException e) {
        return categorical(values, reveal);
      }
    }
    if (numbers.isEmpty()) {
      return "{type: excluded}   # no values: declare a type or keep it excluded";
    }
    boolean integer = numbers.stream().allMatch(n -> n == Math.rint(n));
    String type = integer ? "integer" : "numeric";
    if (!reveal) {
      return "{type: " + type + ", lower: TODO, upper: TODO}   # declare bounds from domain knowledge; "
          + "the data's min/max are not copied (rerun with --reveal to copy them)";
    }
    double min = numbers.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = numbers.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    return "{type: " + type + ", lower: " + number(min) + ", upper: " + number(max)
        + "}   # REVEALED: the data's own min and max; widen to public bounds if you can";
  }

  private static String categorical(List<String> values, boolean reveal) {
    Map<String, Long> counts = values.stream()
        .collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
    List<String> kept = counts.entrySet().stream()
        .filter(e -> reveal || e.getValue() >= MIN_CATEGORY_ROWS)
        .map(Map.Entry::getKey)
        .toList();
    long rare = counts.size() - kept.size();
    String list = kept.stream().map(PolicyDraft::yamlString).collect(Collectors.joining(", "));
    String comment = rare > 0
        ? "   # " + rare + " rarer value(s) left out (under " + MIN_CATEGORY_ROWS + " rows each): add the real "
            + "categories by hand, or rerun with --reveal"
        : reveal ? "   # REVEALED: every value seen in the data" : "";
    if (kept.isEmpty()) {
      return "{type: excluded}" + comment + "; or make it categorical with the categories you declare";
    }
    return "{type: categorical, categories: [" + list + "]}" + comment;
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%s", value);
  }

  /** Quotes every string: YAML would otherwise read yes/no/on/off as booleans and 1e3 as a number. */
  private static String yamlString(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String yamlKey(String name) {
    return name.matches("[A-Za-z_][A-Za-z0-9_]*") ? name : yamlString(name);
  }
}
