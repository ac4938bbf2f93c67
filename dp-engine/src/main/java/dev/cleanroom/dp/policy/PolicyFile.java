package dev.cleanroom.dp.policy;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
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
        "synthetic", "invalid_values", "outputs", "notebooks", "drafted", "source"));
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
    builder.source(source(root));
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
            allowOnly(column, path + ".", Set.of("type", "lower", "upper", "missing"));
            Double lower = number(column, path, "lower");
            Double upper = number(column, path, "upper");
            MissingValues missing = missingValues(column, path, true);
            if (lower != null && upper != null) {
              if (lower >= upper) {
                problem(path, "lower (" + lower + ") must be below upper (" + upper + ")");
              } else {
                result.add(new ColumnPolicy.Numeric(name, lower, upper, type.equals("integer"), missing));
              }
            }
          }
          case "categorical" -> {
            allowOnly(column, path + ".", Set.of("type", "categories", "missing"));
            List<String> categories = strings(column, "categories");
            MissingValues missing = missingValues(column, path, false);
            if (column.get("categories") instanceof List<?> raw && raw.stream().anyMatch(Boolean.class::isInstance)) {
              problem(path + ".categories", "YAML reads bare yes/no/on/off/true/false as booleans; quote them, e.g. [\"yes\", \"no\"]");
            } else if (categories.isEmpty()) {
              problem(path + ".categories", "list every category, e.g. categories: [yes, no]");
            } else {
              result.add(new ColumnPolicy.Categorical(name, categories, missing));
            }
          }
          case "excluded" -> result.add(new ColumnPolicy.Excluded(name));
          case "boolean" -> {
            allowOnly(column, path + ".", Set.of("type", "missing"));
            result.add(new ColumnPolicy.Bool(name, missingValues(column, path, false)));
          }
          case "date", "timestamp" -> {
            allowOnly(column, path + ".", Set.of("type", "lower", "upper", "missing"));
            ColumnPolicy.Temporal unbounded = new ColumnPolicy.Temporal(name, type.equals("timestamp"), 0, 1, null);
            Double lower = instant(column, path, "lower", unbounded);
            Double upper = instant(column, path, "upper", unbounded);
            MissingValues missing = missingValues(column, path, false);
            if (lower != null && upper != null) {
              result.add(new ColumnPolicy.Temporal(name, unbounded.timestamp(), lower.longValue(), upper.longValue(),
                  missing));
            }
          }
          case "identifier" -> {
            allowOnly(column, path + ".", Set.of("type", "format"));
            result.add(new ColumnPolicy.Identifier(name,
                string(column, "format", ColumnPolicy.Identifier.DEFAULT_FORMAT)));
          }
          default -> problem(path + ".type", "must be one of numeric, integer, categorical, boolean, date, timestamp,"
              + " identifier, excluded"
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

  /**
   * A column's {@code missing}: absent (no missing values), {@code allowed} (numeric aggregates skip them), or a
   * mapping {@code {impute: 25, mock_rate: 0.1}} (no {@code impute}: skipped).
   */
  private MissingValues missingValues(Map<?, ?> column, String path, boolean numeric) {
    Object value = column.get("missing");
    if (value == null) {
      return MissingValues.NONE;
    }
    if ("allowed".equals(value) || "skip".equals(value)) {
      return MissingValues.skipped();
    }
    if (!(value instanceof Map<?, ?> settings)) {
      problem(path + ".missing", "must be allowed, or a mapping such as {impute: 0, mock_rate: 0.05} (got '" + value + "')");
      return MissingValues.NONE;
    }
    allowOnly(settings, path + ".missing.", numeric ? Set.of("impute", "mock_rate") : Set.of("mock_rate"));
    MissingValues missing = MissingValues.skipped();
    if (numeric && settings.containsKey("impute")) {
      Double imputed = number(settings, path + ".missing", "impute");
      missing = imputed == null ? missing : MissingValues.imputedAs(imputed);
    }
    if (settings.containsKey("mock_rate")) {
      Double rate = number(settings, path + ".missing", "mock_rate");
      if (rate != null && !(rate >= 0 && rate <= 1)) {
        problem(path + ".missing.mock_rate", "must be a share in [0, 1] such as 0.05 (got " + rate + ")");
      } else if (rate != null) {
        missing = missing.withMockRate(rate);
      }
    }
    return missing;
  }

  /** The file's {@code source}: {@code {separator: ";", encoding: ISO-8859-1, missing_markers: [NA, ""]}}. */
  private SourceFormat source(Map<?, ?> root) {
    Map<?, ?> source = map(root, "source", false);
    if (source == null) {
      return SourceFormat.DEFAULT;
    }
    allowOnly(source, "source.", Set.of("separator", "encoding", "missing_markers"));
    String separator = string(source, "separator", ",");
    if (separator.length() != 1) {
      problem("source.separator", "must be one character such as \";\" (got '" + separator + "')");
      separator = ",";
    }
    String encoding = string(source, "encoding", "UTF-8");
    Charset charset = StandardCharsets.UTF_8;
    try {
      charset = Charset.forName(encoding);
    } catch (IllegalArgumentException e) {
      problem("source.encoding", "must be a character set such as UTF-8 or ISO-8859-1 (got '" + encoding + "')");
    }
    List<String> markers = source.containsKey("missing_markers")
        ? strings(source, "missing_markers") : SourceFormat.DEFAULT_MISSING_MARKERS;
    try {
      return new SourceFormat(separator.charAt(0), charset, markers);
    } catch (IllegalArgumentException e) {
      problem("source", e.getMessage());
      return SourceFormat.DEFAULT;
    }
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

  /** A date or timestamp bound as the day or second {@code column} holds it; YAML reads a bare date as a Date. */
  private Double instant(Map<?, ?> map, String path, String key, ColumnPolicy.Temporal column) {
    Object value = map.get(key);
    double held = value instanceof java.util.Date date
        ? column.parse(column.timestamp() ? date.toInstant().toString()
            : date.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate().toString())
        : value == null ? Double.NaN : column.parse(String.valueOf(value));
    if (Double.isNaN(held)) {
      problem(path + "." + key, (value == null ? "is missing" : "must be " + (column.timestamp()
          ? "a timestamp such as 2024-03-05T10:15:30Z" : "a date such as 2024-03-05") + " (got '" + value + "')"));
      return null;
    }
    return held;
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
      columns.put(column.name(), fields(column));
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
    if (!policy.source().equals(SourceFormat.DEFAULT)) {
      Map<String, Object> source = new LinkedHashMap<>();
      source.put("separator", String.valueOf(policy.source().separator()));
      source.put("encoding", policy.source().encoding().name());
      source.put("missing_markers", policy.source().missingMarkers());
      root.put("source", source);
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

  /**
   * One column's fields as the policy file writes them ({@code type}, bounds, categories, format, missing), also
   * the public schema's description of the column.
   */
  public static Map<String, Object> fields(ColumnPolicy column) {
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
      case ColumnPolicy.Bool b -> fields.put("type", "boolean");
      case ColumnPolicy.Temporal t -> {
        fields.put("type", t.timestamp() ? "timestamp" : "date");
        fields.put("lower", t.format(t.lower()));
        fields.put("upper", t.format(t.upper()));
      }
      case ColumnPolicy.Identifier i -> {
        fields.put("type", "identifier");
        fields.put("format", i.format());
      }
      case ColumnPolicy.Excluded e -> fields.put("type", "excluded");
    }
    // Written only when allowed, so that the policies written before missing values keep their bytes.
    if (column.missing().allowed()) {
      Map<String, Object> missing = new LinkedHashMap<>();
      column.missing().imputed().ifPresent(value -> missing.put("impute", value));
      missing.put("mock_rate", column.missing().mockRate());
      fields.put("missing", missing);
    }
    return fields;
  }

  private static Map<String, Object> costMap(PrivacyCost cost) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("epsilon", cost.epsilon());
    map.put("delta", cost.delta());
    return map;
  }
}
