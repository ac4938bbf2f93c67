package dev.cleanroom.dp.policy;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a provider's {@code policy.yaml} (the format is documented in docs/policy.md) into a
 * {@link DatasetPolicy}. Every problem is collected and reported at once, each with its field path and
 * what to write instead, so a provider fixes a file in one pass.
 */
public final class PolicyFile {
  private final String source;
  private final List<String> problems = new ArrayList<>();

  private PolicyFile(String source) {
    this.source = source;
  }

  public static DatasetPolicy read(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  public static DatasetPolicy parse(String yaml, String source) {
    Object document;
    try {
      // SafeConstructor: a policy file builds plain maps and lists, never arbitrary Java objects.
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new PolicyException(source, List.of("not valid YAML: " + e.getMessage().lines().findFirst().orElse("")));
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new PolicyException(source, List.of("the file must be a mapping with 'dataset', 'columns', ..."));
    }
    return new PolicyFile(source).policy(map);
  }

  private DatasetPolicy policy(Map<?, ?> root) {
    allowOnly(root, "", Set.of("dataset", "owner", "description", "scientists", "views", "columns", "budget",
        "synthetic", "invalid_values", "outputs", "notebooks", "drafted"));
    String dataset = string(root, "dataset", null);
    DatasetPolicy.Builder builder = DatasetPolicy.builder(dataset == null ? "invalid" : dataset);
    String owner = string(root, "owner", null);
    if (owner == null) {
      missing("owner", "the provider's user name, e.g. owner: pat");
    }
    builder.owner(owner == null ? "" : owner);
    builder.description(string(root, "description", ""));
    builder.scientists(strings(root, "scientists"));
    builder.views(views(root));
    builder.columns(columns(root));
    Map<?, ?> budget = map(root, "budget", true);
    if (budget != null) {
      allowOnly(budget, "budget.", Set.of("per_scientist", "per_query", "dataset_total", "min_epsilon_per_query"));
      builder.budgetPerScientist(cost(budget, "budget.per_scientist", "per_scientist"));
      builder.maxPerQuery(cost(budget, "budget.per_query", "per_query"));
      if (budget.containsKey("dataset_total")) {
        builder.datasetTotal(cost(budget, "budget.dataset_total", "dataset_total"));
      }
      if (budget.containsKey("min_epsilon_per_query")) {
        Double least = number(budget, "budget", "min_epsilon_per_query");
        if (least != null) {
          builder.minEpsilonPerQuery(least);
        }
      }
    }
    Map<?, ?> synthetic = map(root, "synthetic", false);
    if (synthetic != null) {
      builder.syntheticCost(cost(root, "synthetic", "synthetic"));
    }
    builder.invalidValues(invalidValues(root));
    outputs(root, builder);
    notebooks(root, builder);
    builder.drafted(drafted(root));
    if (dataset == null) {
      missing("dataset", "the dataset's name, e.g. dataset: insurance");
    }
    if (!problems.isEmpty()) {
      throw new PolicyException(source, problems);
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new PolicyException(source, List.of(e.getMessage()));
    }
  }

  private List<ColumnPolicy> columns(Map<?, ?> root) {
    Map<?, ?> columns = map(root, "columns", true);
    List<ColumnPolicy> result = new ArrayList<>();
    if (columns == null) {
      return result;
    }
    for (Map.Entry<?, ?> entry : columns.entrySet()) {
      String name = String.valueOf(entry.getKey());
      String path = "columns." + name;
      if (!(entry.getValue() instanceof Map<?, ?> column)) {
        problem(path, "must be a mapping such as {type: numeric, lower: 0, upper: 100}");
        continue;
      }
      String type = string(column, "type", null);
      try {
        switch (type == null ? "" : type) {
          case "numeric", "integer" -> {
            allowOnly(column, path + ".", Set.of("type", "lower", "upper"));
            Double lower = number(column, path, "lower");
            Double upper = number(column, path, "upper");
            if (lower != null && upper != null) {
              if (lower >= upper) {
                problem(path, "lower (" + lower + ") must be below upper (" + upper + ")");
              } else {
                result.add(new ColumnPolicy.Numeric(name, lower, upper, type.equals("integer")));
              }
            }
          }
          case "categorical" -> {
            allowOnly(column, path + ".", Set.of("type", "categories"));
            List<String> categories = strings(column, "categories");
            if (column.get("categories") instanceof List<?> raw && raw.stream().anyMatch(Boolean.class::isInstance)) {
              problem(path + ".categories", "YAML reads bare yes/no/on/off/true/false as booleans; quote them, e.g. [\"yes\", \"no\"]");
            } else if (categories.isEmpty()) {
              problem(path + ".categories", "list every category, e.g. categories: [yes, no]");
            } else {
              result.add(new ColumnPolicy.Categorical(name, categories));
            }
          }
          case "excluded" -> result.add(new ColumnPolicy.Excluded(name));
          default -> problem(path + ".type", "must be one of numeric, integer, categorical, excluded"
              + (type == null ? "" : " (got '" + type + "')"));
        }
      } catch (IllegalArgumentException e) {
        problem(path, e.getMessage());
      }
    }
    if (result.isEmpty() && problems.isEmpty()) {
      problem("columns", "declare at least one column");
    }
    return result;
  }

  private Set<View> views(Map<?, ?> root) {
    if (!root.containsKey("views")) {
      return EnumSet.of(View.DP_QUERY, View.MOCK);
    }
    Set<View> views = EnumSet.noneOf(View.class);
    for (String id : strings(root, "views")) {
      View.byId(id).ifPresentOrElse(views::add,
          () -> problem("views", "unknown view '" + id + "'; use dp-query, synthetic or mock"));
    }
    return views;
  }

  private InvalidValues invalidValues(Map<?, ?> root) {
    String value = string(root, "invalid_values", "clamp");
    return switch (value) {
      case "clamp" -> InvalidValues.CLAMP;
      case "reject" -> InvalidValues.REJECT;
      default -> {
        problem("invalid_values", "must be clamp or reject (got '" + value + "')");
        yield InvalidValues.CLAMP;
      }
    };
  }

  /** The {@code outputs} section: whether outputs wait for release, who releases them, and their checks. */
  private void outputs(Map<?, ?> root, DatasetPolicy.Builder builder) {
    Map<?, ?> outputs = map(root, "outputs", false);
    if (outputs == null) {
      return;
    }
    allowOnly(outputs, "outputs.", Set.of("release", "approvers", "reviewers", "checks"));
    String release = string(outputs, "release", "required");
    if (!release.equals("required") && !release.equals("automatic")) {
      problem("outputs.release", "must be required or automatic (got '" + release + "')");
    }
    builder.outputsNeedRelease(!release.equals("automatic"));
    int approvers = positive(outputs, "outputs", "approvers").orElse(1);
    List<String> reviewers = strings(outputs, "reviewers");
    Map<?, ?> checks = map(outputs, "checks", false);
    OptionalInt minCellCount = OptionalInt.empty();
    OptionalInt maxRows = OptionalInt.empty();
    int roundTo = 1;
    OutputRules.SmallCounts smallCounts = OutputRules.SmallCounts.FLAG;
    List<String> countColumns = List.of();
    Set<OutputRules.FileType> fileTypes = EnumSet.noneOf(OutputRules.FileType.class);
    if (checks != null) {
      allowOnly(checks, "outputs.checks.", Set.of("min_cell_count", "small_counts", "round_counts_to", "max_rows",
          "count_columns", "file_types"));
      minCellCount = positive(checks, "outputs.checks", "min_cell_count");
      maxRows = positive(checks, "outputs.checks", "max_rows");
      roundTo = positive(checks, "outputs.checks", "round_counts_to").orElse(1);
      String small = string(checks, "small_counts", "flag");
      if (small.equals("suppress")) {
        smallCounts = OutputRules.SmallCounts.SUPPRESS;
      } else if (!small.equals("flag")) {
        problem("outputs.checks.small_counts", "must be flag or suppress (got '" + small + "')");
      }
      countColumns = strings(checks, "count_columns");
      for (String type : strings(checks, "file_types")) {
        try {
          fileTypes.add(OutputRules.FileType.valueOf(type.toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          problem("outputs.checks.file_types", "'" + type + "' is not a file type; known: text, csv, json, png, notebook");
        }
      }
    }
    try {
      builder.outputRules(new OutputRules(approvers, reviewers, minCellCount, smallCounts, roundTo, maxRows,
          countColumns, fileTypes));
    } catch (IllegalArgumentException e) {
      problem("outputs", e.getMessage());
    }
  }

  /** An optional positive whole number. */
  private OptionalInt positive(Map<?, ?> map, String path, String key) {
    Object value = map.get(key);
    if (value == null) {
      return OptionalInt.empty();
    }
    if (value instanceof Integer number && number > 0) {
      return OptionalInt.of(number);
    }
    problem(path + "." + key, "must be a positive whole number (got '" + value + "')");
    return OptionalInt.empty();
  }

  /**
   * A setting {@code section: {key: word}} whose word is {@code usual} (also when it is left out) or {@code other};
   * another word is a problem.
   */
  private String either(Map<?, ?> root, String section, String key, String usual, String other) {
    Map<?, ?> settings = map(root, section, false);
    if (settings == null) {
      return usual;
    }
    allowOnly(settings, section + ".", Set.of(key));
    String word = string(settings, key, usual);
    if (!word.equals(usual) && !word.equals(other)) {
      problem(section + "." + key, "must be " + usual + " or " + other + " (got '" + word + "')");
    }
    return word;
  }

  /**
   * {@code notebooks}: {@code hidden_code: flag | refuse}, and {@code libraries: any | none | [group ids]}, the Maven
   * groups a notebook's own libraries ({@code %maven}) may come from.
   */
  private void notebooks(Map<?, ?> root, DatasetPolicy.Builder builder) {
    Map<?, ?> notebooks = map(root, "notebooks", false);
    if (notebooks == null) {
      return;
    }
    allowOnly(notebooks, "notebooks.", Set.of("hidden_code", "libraries"));
    String hidden = string(notebooks, "hidden_code", "flag");
    if (!hidden.equals("flag") && !hidden.equals("refuse")) {
      problem("notebooks.hidden_code", "must be flag or refuse (got '" + hidden + "')");
    }
    builder.refusesHiddenCode(hidden.equals("refuse"));
    Object libraries = notebooks.get("libraries");
    if (libraries == null || "any".equals(libraries)) {
      return;
    }
    if ("none".equals(libraries)) {
      builder.allowedLibraryGroups(List.of());
    } else if (libraries instanceof List<?> groups
        && groups.stream().allMatch(g -> String.valueOf(g).matches("[A-Za-z0-9_][A-Za-z0-9._-]*"))) {
      builder.allowedLibraryGroups(groups.stream().map(String::valueOf).toList());
    } else {
      problem("notebooks.libraries", "must be any, none, or a list of Maven group ids such as [org.apache.commons]");
    }
  }

  /**
   * The draft's record. A draft with revealed values is refused until the provider confirms them: copying a
   * minimum, a maximum or a rare category from the data is a decision, not a default.
   */
  private Drafted drafted(Map<?, ?> root) {
    Map<?, ?> drafted = map(root, "drafted", false);
    if (drafted == null) {
      return null;
    }
    allowOnly(drafted, "drafted.", Set.of("epsilon", "delta", "spend_id", "revealed", "reveal_confirmed"));
    PrivacyCost spent = PrivacyCost.ZERO;
    if (drafted.containsKey("epsilon")) {
      Double epsilon = number(drafted, "drafted", "epsilon");
      Double delta = drafted.containsKey("delta") ? number(drafted, "drafted", "delta") : Double.valueOf(0);
      if (epsilon != null && delta != null) {
        spent = new PrivacyCost(epsilon, delta);
      }
    }
    String spendId = string(drafted, "spend_id", "");
    if (spent.epsilon() > 0 && spendId.isBlank()) {
      missing("drafted.spend_id", "the id 'dcr provision --infer' wrote; provisioning charges the draft's spend with it");
    }
    List<String> revealed = strings(drafted, "revealed");
    if (!revealed.isEmpty() && !Boolean.TRUE.equals(drafted.get("reveal_confirmed"))) {
      problem("drafted.reveal_confirmed", "columns " + String.join(", ", revealed) + " carry values copied from the"
          + " real data (--reveal): review them, then write reveal_confirmed: true (or replace them with public"
          + " bounds and categories and remove them from drafted.revealed)");
    }
    return new Drafted(spent, spendId, revealed);
  }

  private PrivacyCost cost(Map<?, ?> parent, String path, String key) {
    Map<?, ?> cost = map(parent, key, true);
    if (cost == null) {
      return PrivacyCost.ZERO;
    }
    allowOnly(cost, path + ".", Set.of("epsilon", "delta"));
    Double epsilon = number(cost, path, "epsilon");
    Double delta = cost.containsKey("delta") ? number(cost, path, "delta") : Double.valueOf(0);
    if (epsilon == null || delta == null) {
      return PrivacyCost.ZERO;
    }
    if (!(epsilon > 0)) {
      problem(path + ".epsilon", "must be a positive number (got " + epsilon + ")");
      return PrivacyCost.ZERO;
    }
    if (delta < 0 || delta >= 1) {
      problem(path + ".delta", "must be in [0, 1), typically below 1/rows such as 1e-6 (got " + delta + ")");
      return PrivacyCost.ZERO;
    }
    return new PrivacyCost(epsilon, delta);
  }

  private Double number(Map<?, ?> map, String path, String key) {
    Object value = map.get(key);
    if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
      return number.doubleValue();
    }
    if (value instanceof String text) {
      try {
        return Double.parseDouble(text); // YAML 1.1 reads 1e-6 (no dot) as a string
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problem(path + "." + key, value == null ? "is missing; write a number" : "must be a finite number (got '" + value + "')");
    return null;
  }

  private Map<?, ?> map(Map<?, ?> parent, String key, boolean required) {
    Object value = parent.get(key);
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    if (value != null) {
      problem(key, "must be a mapping");
    } else if (required) {
      problem(key, "is missing");
    }
    return null;
  }

  private String string(Map<?, ?> map, String key, String fallback) {
    Object value = map.get(key);
    return value == null ? fallback : String.valueOf(value);
  }

  private List<String> strings(Map<?, ?> map, String key) {
    Object value = map.get(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    problem(key, "must be a list such as [a, b]");
    return List.of();
  }

  private void allowOnly(Map<?, ?> map, String prefix, Set<String> keys) {
    for (Object key : map.keySet()) {
      if (!keys.contains(String.valueOf(key))) {
        problem(prefix + key, "is not a policy field; known here: " + String.join(", ", keys.stream().sorted().toList()));
      }
    }
  }

  private void missing(String field, String example) {
    problem(field, "is missing; write " + example);
  }

  private void problem(String field, String message) {
    problems.add(field + ": " + message);
  }

  /**
   * The policy as YAML in the documented format. The text is canonical (fields and keys always in the
   * same order), so it also serves as the policy's fingerprint.
   */
  public static String toYaml(DatasetPolicy policy) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("dataset", policy.dataset());
    root.put("owner", policy.owner());
    root.put("description", policy.description());
    root.put("scientists", policy.scientists());
    root.put("views", policy.views().stream().map(View::id).toList());
    Map<String, Object> columns = new LinkedHashMap<>();
    for (ColumnPolicy column : policy.columns()) {
      Map<String, Object> fields = new LinkedHashMap<>();
      switch (column) {
        case ColumnPolicy.Numeric n -> {
          fields.put("type", n.integer() ? "integer" : "numeric");
          fields.put("lower", n.lower());
          fields.put("upper", n.upper());
        }
        case ColumnPolicy.Categorical c -> {
          fields.put("type", "categorical");
          fields.put("categories", c.categories());
        }
        case ColumnPolicy.Excluded e -> fields.put("type", "excluded");
      }
      columns.put(column.name(), fields);
    }
    root.put("columns", columns);
    Map<String, Object> budget = new LinkedHashMap<>();
    budget.put("per_scientist", costMap(policy.budgetPerScientist()));
    budget.put("per_query", costMap(policy.maxPerQuery()));
    budget.put("dataset_total", costMap(policy.datasetTotal()));
    budget.put("min_epsilon_per_query", policy.minEpsilonPerQuery());
    root.put("budget", budget);
    root.put("synthetic", costMap(policy.syntheticCost()));
    root.put("invalid_values", policy.invalidValues().name().toLowerCase(java.util.Locale.ROOT));
    root.put("outputs", outputsYaml(policy));
    // Written only when set, so that the policies written before them keep their bytes.
    Map<String, Object> notebooks = new LinkedHashMap<>();
    if (policy.refusesHiddenCode()) {
      notebooks.put("hidden_code", "refuse");
    }
    policy.allowedLibraryGroups().ifPresent(groups -> notebooks.put("libraries", groups.isEmpty() ? "none" : groups));
    if (!notebooks.isEmpty()) {
      root.put("notebooks", notebooks);
    }
    policy.drafted().ifPresent(drafted -> {
      Map<String, Object> fields = new LinkedHashMap<>(costMap(drafted.spent()));
      fields.put("spend_id", drafted.spendId());
      fields.put("revealed", drafted.revealedColumns());
      // Read back only once confirmed, so the effective policy says so.
      fields.put("reveal_confirmed", true);
      root.put("drafted", fields);
    });
    return new Yaml().dumpAsMap(root);
  }

  /** Only the release when no other output rule is set, so that the policies written before them keep their bytes. */
  private static Map<String, Object> outputsYaml(DatasetPolicy policy) {
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("release", policy.outputsNeedRelease() ? "required" : "automatic");
    OutputRules rules = policy.outputRules();
    if (rules.approvers() > 1) {
      outputs.put("approvers", rules.approvers());
    }
    if (!rules.reviewers().isEmpty()) {
      outputs.put("reviewers", rules.reviewers());
    }
    if (rules.checksAnything() || !rules.countColumns().isEmpty()) {
      Map<String, Object> checks = new LinkedHashMap<>();
      rules.minCellCount().ifPresent(n -> checks.put("min_cell_count", n));
      checks.put("small_counts", rules.smallCounts().code());
      if (rules.roundCountsTo() > 1) {
        checks.put("round_counts_to", rules.roundCountsTo());
      }
      rules.maxRows().ifPresent(n -> checks.put("max_rows", n));
      if (!rules.countColumns().isEmpty()) {
        checks.put("count_columns", rules.countColumns());
      }
      if (!rules.fileTypes().isEmpty()) {
        checks.put("file_types", rules.fileTypes().stream().sorted().map(OutputRules.FileType::code).toList());
      }
      outputs.put("checks", checks);
    }
    return outputs;
  }

  private static Map<String, Object> costMap(PrivacyCost cost) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("epsilon", cost.epsilon());
    map.put("delta", cost.delta());
    return map;
  }
}
