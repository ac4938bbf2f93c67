package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.GroupedQuery;
import dev.cleanroom.dp.mechanisms.Mechanisms;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.mechanisms.QueryRejectedException;
import dev.cleanroom.dp.mechanisms.RowFilter;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import dev.cleanroom.kernel.display.Displays;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * DP queries on one dataset, or on the rows of it that {@link #where} keeps. Stage 1 asks the DP query
 * service, which charges the scientist's budget before answering; stage 2 runs the same mechanisms on the
 * real rows inside the TEE (no budget: the outputs are reviewed before release). Every answer is shown
 * with what it cost and, in stage 1, the budget left.
 *
 * <p>{@code delta = 0} (the short forms) asks for pure ε-DP with Laplace noise; {@code delta > 0}
 * for Gaussian noise.
 */
public final class DpQueries {
  private final CleanRoom cleanRoom;
  private final Dataset dataset;
  private final Map<String, String> where;

  DpQueries(CleanRoom cleanRoom, Dataset dataset) {
    this(cleanRoom, dataset, Map.of());
  }

  private DpQueries(CleanRoom cleanRoom, Dataset dataset, Map<String, String> where) {
    this.cleanRoom = cleanRoom;
    this.dataset = dataset;
    this.where = Map.copyOf(where);
  }

  /**
   * The same queries on the rows whose categorical {@code column} is {@code category}, a declared
   * category; chain it to filter on several columns. A filter does not change what a query costs.
   */
  public DpQueries where(String column, String category) {
    Map<String, String> more = new LinkedHashMap<>(where);
    if (more.putIfAbsent(column, category) != null) {
      throw new SdkException("invalid_request", "The rows are already filtered on '" + column + "' ("
          + where.get(column) + "); a row has one " + column);
    }
    return new DpQueries(cleanRoom, dataset, more);
  }

  /**
   * The same queries answered once per declared category of the categorical {@code column}, all for the
   * cost of one: a row is in one group at most, so the groups compose in parallel.
   */
  public DpGroups by(String column) {
    return new DpGroups(this, column);
  }

  /**
   * Number of rows, post-processed to at least 0 (a noisy count below 0 is answered as 0, and the receipt
   * shows the raw noisy value; {@code ask(...).answer().raw()} returns it).
   */
  public long count(double epsilon) {
    return ask(DpQuery.count(epsilon)).answer().value();
  }

  /** Number of rows whose {@code column} is missing, post-processed as {@link #count} is. */
  public long missingCount(String column, double epsilon) {
    return ask(DpQuery.missingCount(column, epsilon)).answer().value();
  }

  /**
   * Sum of a numeric column, each value clamped to its declared bounds; missing values skipped or read as the
   * column's imputed value, as its policy declares (the receipt says which).
   */
  public double sum(String column, double epsilon) {
    return ask(DpQuery.sum(column, epsilon)).answer().value();
  }

  public double sum(String column, double epsilon, double delta) {
    return ask(new DpQuery.Sum(column, epsilon, delta)).answer().value();
  }

  /** Mean of a numeric column. */
  public double mean(String column, double epsilon) {
    return ask(DpQuery.mean(column, epsilon)).answer().value();
  }

  public double mean(String column, double epsilon, double delta) {
    return ask(new DpQuery.Mean(column, epsilon, delta)).answer().value();
  }

  /** Count per declared category of a categorical column, each post-processed as {@link #count} is. */
  public Map<String, Long> histogram(String column, double epsilon) {
    return ask(DpQuery.histogram(column, epsilon)).answer().value();
  }

  /**
   * Count per {@code period} ({@code "year"}, {@code "month"} or {@code "day"}) of a date or timestamp column,
   * one bucket per period between its declared bounds, plus {@code (missing)} if it allows missing values.
   */
  public Map<String, Long> histogramBy(String column, String period, double epsilon) {
    return ask(DpQuery.byPeriod(column, period, epsilon)).answer().value();
  }

  /**
   * The {@code alpha}-quantile of a numeric column (0.5 is the median); of a date or timestamp column, the day
   * (days since 1970-01-01, {@code LocalDate.ofEpochDay}) or second ({@code Instant.ofEpochSecond}).
   */
  public double quantile(String column, double alpha, double epsilon) {
    return ask(new DpQuery.Quantile(column, alpha, epsilon)).answer().value();
  }

  public double median(String column, double epsilon) {
    return quantile(column, 0.5, epsilon);
  }

  /**
   * Any DP query, with the whole answer: the noisy value, its cost and noise scale, and (stage 1) the
   * budget left. The answer is shown in the cell like the short forms.
   */
  public <T> DpReceipt<T> ask(DpQuery<T> query) {
    String described = RowFilter.describe(query, where, Optional.empty());
    DpReceipt<T> receipt;
    if (cleanRoom.stage() == Stage.EXPLORATION) {
      ChargedAnswer<T> charged = CleanRoom.call(() -> cleanRoom.client().query(dataset.name(), query, where));
      receipt = new DpReceipt<>(dataset.name(), described, charged.answer(), Optional.of(charged.remaining()));
    } else {
      DpAnswer<T> answer = refusedAsInStage1(() -> {
        PrivateTable rows = realRows();
        try (PreparedQuery<T> prepared = new Mechanisms(rows.policy()).prepare(query)) {
          return prepared.release(rows);
        }
      });
      receipt = new DpReceipt<>(dataset.name(), described, answer, Optional.<PrivacyCost>empty());
    }
    Displays.show(receipt);
    return receipt;
  }

  /** A group-by of {@link DpGroups#ask}: one charge in stage 1, the same mechanisms per group in stage 2. */
  <T> DpGroupReceipt<T> askByGroup(DpQuery<T> query, String column) {
    String described = RowFilter.describe(query, where, Optional.of(column));
    DpGroupReceipt<T> receipt;
    if (cleanRoom.stage() == Stage.EXPLORATION) {
      GroupedAnswer<T> grouped = CleanRoom.call(() -> cleanRoom.client().queryByGroup(dataset.name(), query, where, column));
      receipt = new DpGroupReceipt<>(dataset.name(), described, grouped.groups(), grouped.cost(),
          Optional.of(grouped.remaining()));
    } else {
      receipt = refusedAsInStage1(() -> {
        PrivateTable rows = realRows();
        try (GroupedQuery<T> prepared = new Mechanisms(rows.policy()).prepareByGroup(query, where, column)) {
          return new DpGroupReceipt<>(dataset.name(), described, prepared.release(rows), prepared.cost(),
              Optional.<PrivacyCost>empty());
        }
      });
    }
    Displays.show(receipt);
    return receipt;
  }

  /** Stage 2 refuses what the DP query service refuses in stage 1, with the same codes. */
  private static <T> T refusedAsInStage1(Supplier<T> work) {
    try {
      return work.get();
    } catch (QueryRejectedException e) {
      throw new SdkException(e.code(), e.getMessage(), e);
    }
  }

  /** Stage 2: the real rows this object's filter keeps. */
  private PrivateTable realRows() {
    DatasetPolicy policy = cleanRoom.stage2Policy(dataset.name()).orElseThrow(() -> new SdkException("no_policy",
        "dp() in stage 2 needs the dataset's policy.yaml beside real.csv in DCR_INPUT_DIR/" + dataset.name()
            + "; the TEE launcher puts it there"));
    try {
      PrivateTable table = PrivateTable.load(cleanRoom.inputDir().resolve(dataset.name()).resolve(CleanRoom.REAL_ROWS), policy);
      return RowFilter.apply(table, where);
    } catch (IOException e) {
      throw new SdkException("input_unreadable", "Tried to read the rows of '" + dataset.name()
          + "' but failed because: " + e.getMessage(), e);
    }
  }
}
