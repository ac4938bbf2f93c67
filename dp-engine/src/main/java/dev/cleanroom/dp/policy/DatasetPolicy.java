package dev.cleanroom.dp.policy;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A provider's rules for one dataset: its declared columns, who may use it, which stage-1 views are
 * on, each scientist's privacy budget and the cap per query, the dataset's total over all users and views,
 * what the provider spends on the synthetic view, how invalid values are handled, whether stage-2 outputs wait
 * for the provider's release, and whether a notebook whose code reads otherwise than it runs is refused at
 * submission.
 *
 * @param scientists who may use the dataset; empty means every scientist (users the hub names scientists)
 * @param datasetTotal what everyone together may spend on the dataset: every scientist's queries, the
 *     synthetic view and a drafted policy's estimates
 * @param drafted what {@code dcr provision --infer} spent and revealed, if the policy began as its draft
 * @param syntheticCost the (ε, δ) the provider spends once to make the synthetic view
 * @param refusesHiddenCode whether the job bridge refuses a notebook with Unicode escapes, bidirectional controls or
 *     invisible characters in its code, before anyone reviews it (otherwise the review view flags them)
 * @param minEpsilonPerQuery the least ε a query may ask for: how long a query takes is not noised, so each
 *     observation of it must cost something (see docs/policy.md)
 * @param outputRules who releases stage-2 outputs and the disclosure checks they pass first
 * @param allowedLibraryGroups the Maven group ids whose libraries a notebook may add with {@code %maven} (a group
 *     allows its sub-groups too); empty: any library; an empty list: none at all. The job bridge refuses a notebook
 *     whose lock breaks it before anyone reviews it.
 * @param source how the provider's file is written: separator, encoding, missing markers
 */
public record DatasetPolicy(
    String dataset,
    String owner,
    String description,
    List<String> scientists,
    Set<View> views,
    List<ColumnPolicy> columns,
    PrivacyCost budgetPerScientist,
    PrivacyCost maxPerQuery,
    PrivacyCost datasetTotal,
    PrivacyCost syntheticCost,
    InvalidValues invalidValues,
    boolean outputsNeedRelease,
    boolean refusesHiddenCode,
    Optional<Drafted> drafted,
    double minEpsilonPerQuery,
    OutputRules outputRules,
    Optional<List<String>> allowedLibraryGroups,
    SourceFormat source) {

  /**
   * A policy with no output rules beyond {@code outputsNeedRelease} ({@link OutputRules#NONE}), any library, and a
   * comma-separated UTF-8 file with the default missing markers.
   */
  public DatasetPolicy(String dataset, String owner, String description, List<String> scientists, Set<View> views,
      List<ColumnPolicy> columns, PrivacyCost budgetPerScientist, PrivacyCost maxPerQuery, PrivacyCost datasetTotal,
      PrivacyCost syntheticCost, InvalidValues invalidValues, boolean outputsNeedRelease, boolean refusesHiddenCode,
      Optional<Drafted> drafted, double minEpsilonPerQuery) {
    this(dataset, owner, description, scientists, views, columns, budgetPerScientist, maxPerQuery, datasetTotal,
        syntheticCost, invalidValues, outputsNeedRelease, refusesHiddenCode, drafted, minEpsilonPerQuery, OutputRules.NONE,
        Optional.empty(), SourceFormat.DEFAULT);
  }

  public DatasetPolicy {
    if (dataset == null || !dataset.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
      throw new IllegalArgumentException(
          "A dataset name is 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit; got '"
              + dataset + "'");
    }
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(description, "description");
    scientists = List.copyOf(scientists);
    // An EnumSet keeps the declared order, so the policy prints (and hashes) the same in every JVM.
    views = Collections.unmodifiableSet(views.isEmpty() ? EnumSet.noneOf(View.class) : EnumSet.copyOf(views));
    columns = List.copyOf(columns);
    Objects.requireNonNull(invalidValues, "invalidValues");
    Objects.requireNonNull(drafted, "drafted");
    Objects.requireNonNull(outputRules, "outputRules");
    if (outputRules.approvers() > 1 && !outputsNeedRelease) {
      throw new IllegalArgumentException("Dataset '" + dataset + "': outputs.approvers is " + outputRules.approvers()
          + " but outputs.release is automatic; write release: required");
    }
    allowedLibraryGroups = allowedLibraryGroups.map(List::copyOf);
    Objects.requireNonNull(source, "source");
    if (columns.stream().map(ColumnPolicy::name).distinct().count() != columns.size()) {
      throw new IllegalArgumentException("Dataset '" + dataset + "' declares a column twice");
    }
    if (columns.stream().allMatch(c -> c instanceof ColumnPolicy.Excluded || c instanceof ColumnPolicy.Identifier)) {
      throw new IllegalArgumentException("Dataset '" + dataset + "' needs at least one column that is neither"
          + " excluded nor an identifier");
    }
    if (!(minEpsilonPerQuery > 0) || minEpsilonPerQuery > maxPerQuery.epsilon()) {
      throw new IllegalArgumentException("Dataset '" + dataset + "': the least ε per query must be above 0 and at most"
          + " the per-query cap (" + maxPerQuery.epsilon() + "), got " + minEpsilonPerQuery);
    }
    if (!maxPerQuery.fitsWithin(budgetPerScientist)) {
      throw new IllegalArgumentException(
          "Dataset '" + dataset + "': the per-query cap (" + maxPerQuery + ") exceeds the budget per scientist ("
              + budgetPerScientist + ")");
    }
    if (!maxPerQuery.fitsWithin(datasetTotal)) {
      throw new IllegalArgumentException("Dataset '" + dataset + "': the per-query cap (" + maxPerQuery
          + ") exceeds the dataset's total (" + datasetTotal + ")");
    }
    if (views.contains(View.SYNTHETIC) && !syntheticCost.fitsWithin(datasetTotal)) {
      throw new IllegalArgumentException("Dataset '" + dataset + "': the synthetic view's cost (" + syntheticCost
          + ") exceeds the dataset's total (" + datasetTotal + ")");
    }
  }

  /**
   * The total a policy that declares none gets: one scientist's full budget beside the synthetic view's
   * cost, so that declaring more scientists never multiplies what the data may leak unless the provider
   * says so.
   */
  public static PrivacyCost defaultTotal(PrivacyCost budgetPerScientist, Set<View> views, PrivacyCost syntheticCost) {
    return views.contains(View.SYNTHETIC) ? budgetPerScientist.plus(syntheticCost) : budgetPerScientist;
  }

  /**
   * The least ε per query unless the policy says otherwise: a scientist who times queries gets at most 1,000
   * observations per ε spent, where the ledger's resolution alone (ε 10^-12) would allow 10^12.
   */
  public static final double DEFAULT_MIN_EPSILON_PER_QUERY = 0.001;

  public static Builder builder(String dataset) {
    return new Builder(dataset);
  }

  public Optional<ColumnPolicy> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The columns that are not excluded: the public schema of every view. */
  public List<ColumnPolicy> visibleColumns() {
    return columns.stream().filter(c -> !(c instanceof ColumnPolicy.Excluded)).toList();
  }

  /**
   * The visible columns whose values DP answers and the synthesizer read: all but identifiers, which the DP
   * query service never loads.
   */
  public List<ColumnPolicy> valueColumns() {
    return visibleColumns().stream().filter(c -> !(c instanceof ColumnPolicy.Identifier)).toList();
  }

  /** The identifier columns: in the views with fake values only, real in stage 2. */
  public List<ColumnPolicy.Identifier> identifierColumns() {
    return columns.stream().filter(ColumnPolicy.Identifier.class::isInstance).map(ColumnPolicy.Identifier.class::cast)
        .toList();
  }

  public String columnNames() {
    return visibleColumns().stream().map(ColumnPolicy::name).collect(Collectors.joining(", "));
  }

  public boolean allows(View view) {
    return views.contains(view);
  }

  /** Whether a notebook may add a library of this Maven group id ({@link #allowedLibraryGroups}). */
  public boolean allowsLibraryGroup(String groupId) {
    return allowedLibraryGroups.map(groups -> groups.stream()
        .anyMatch(g -> groupId.equals(g) || groupId.startsWith(g + "."))).orElse(true);
  }

  /** Whether {@code scientist} may use this dataset. */
  public boolean admits(String scientist) {
    return scientists.isEmpty() || scientists.contains(scientist);
  }

  /** Builds a policy; every part but the name and the columns has a default a provider can live with. */
  public static final class Builder {
    private final String dataset;
    private String owner = "provider";
    private String description = "";
    private List<String> scientists = List.of();
    private Set<View> views = EnumSet.allOf(View.class);
    private final List<ColumnPolicy> columns = new ArrayList<>();
    private PrivacyCost budgetPerScientist = PrivacyCost.pure(1);
    private PrivacyCost maxPerQuery = PrivacyCost.pure(0.5);
    private PrivacyCost datasetTotal;
    private PrivacyCost syntheticCost = new PrivacyCost(1, 1e-6);
    private InvalidValues invalidValues = InvalidValues.CLAMP;
    private boolean outputsNeedRelease = true;
    private boolean refusesHiddenCode = false;
    private Drafted drafted;
    private double minEpsilonPerQuery = DEFAULT_MIN_EPSILON_PER_QUERY;
    private OutputRules outputRules = OutputRules.NONE;
    private List<String> allowedLibraryGroups;
    private SourceFormat source = SourceFormat.DEFAULT;

    private Builder(String dataset) {
      this.dataset = dataset;
    }

    public Builder owner(String owner) {
      this.owner = owner;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder scientists(List<String> scientists) {
      this.scientists = scientists;
      return this;
    }

    public Builder views(Set<View> views) {
      this.views = views;
      return this;
    }

    public Builder column(ColumnPolicy column) {
      columns.add(column);
      return this;
    }

    public Builder columns(List<? extends ColumnPolicy> columns) {
      this.columns.addAll(columns);
      return this;
    }

    public Builder budgetPerScientist(PrivacyCost budget) {
      this.budgetPerScientist = budget;
      return this;
    }

    public Builder maxPerQuery(PrivacyCost cap) {
      this.maxPerQuery = cap;
      return this;
    }

    /** Unset: {@link DatasetPolicy#defaultTotal}. */
    public Builder datasetTotal(PrivacyCost total) {
      this.datasetTotal = total;
      return this;
    }

    public Builder syntheticCost(PrivacyCost cost) {
      this.syntheticCost = cost;
      return this;
    }

    public Builder invalidValues(InvalidValues invalidValues) {
      this.invalidValues = invalidValues;
      return this;
    }

    public Builder outputsNeedRelease(boolean outputsNeedRelease) {
      this.outputsNeedRelease = outputsNeedRelease;
      return this;
    }

    public Builder refusesHiddenCode(boolean refusesHiddenCode) {
      this.refusesHiddenCode = refusesHiddenCode;
      return this;
    }

    public Builder drafted(Drafted drafted) {
      this.drafted = drafted;
      return this;
    }

    public Builder minEpsilonPerQuery(double minEpsilonPerQuery) {
      this.minEpsilonPerQuery = minEpsilonPerQuery;
      return this;
    }

    public Builder outputRules(OutputRules outputRules) {
      this.outputRules = outputRules;
      return this;
    }

    /** The only Maven groups a notebook's own libraries may come from; an empty list allows none. Unset: any. */
    public Builder allowedLibraryGroups(List<String> groups) {
      this.allowedLibraryGroups = groups;
      return this;
    }

    public Builder source(SourceFormat source) {
      this.source = source;
      return this;
    }

    public DatasetPolicy build() {
      PrivacyCost total = datasetTotal != null ? datasetTotal : defaultTotal(budgetPerScientist, views, syntheticCost);
      return new DatasetPolicy(dataset, owner, description, scientists, views, columns, budgetPerScientist,
          maxPerQuery, total, syntheticCost, invalidValues, outputsNeedRelease, refusesHiddenCode,
          Optional.ofNullable(drafted), minEpsilonPerQuery, outputRules, Optional.ofNullable(allowedLibraryGroups),
          source);
    }
  }
}
