package dev.cleanroom.bridge.disclosure;

import dev.cleanroom.dp.policy.OutputRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The count-cell rules over one output: which cells are counts, and what each is released as.
 *
 * <p>A count cell is a cell of a table (or a JSON number) holding a whole number, 0 or more, written as digits
 * (with a fractional part of zeros at most: {@code 12.0} too), in a count column. With no {@code count_columns}
 * in the policy every column is a count column, so that a count cannot escape the check by its column's name;
 * with them, only the columns whose header (or JSON key) is one of them, ignoring case. A small count is one
 * above 0 and below {@code min_cell_count}: a zero is not suppressed (it says nobody, and suppressing only the
 * zeros' neighbours would give them away).
 */
final class CountCells {
  private static final Pattern WHOLE = Pattern.compile("\\d{1,18}(\\.0+)?");
  private static final int NAMED_SPOTS = 5;

  private final OutputRules rules;
  private int cells;
  private int small;
  private int rounded;
  private final List<String> smallSpots = new ArrayList<>();

  CountCells(OutputRules rules) {
    this.rules = rules;
  }

  /** Whether cells under this header (or JSON key) are counts. */
  boolean isCountColumn(Optional<String> header) {
    if (rules.countColumns().isEmpty()) {
      return true;
    }
    return header.map(h -> h.trim().toLowerCase(Locale.ROOT))
        .filter(h -> rules.countColumns().stream().anyMatch(c -> c.toLowerCase(Locale.ROOT).equals(h))).isPresent();
  }

  /** Whether the text is a whole number a count could be. */
  static boolean isWhole(String text) {
    return WHOLE.matcher(text).matches();
  }

  /**
   * The text the scientist receives for a count cell holding {@code value}: {@code <N} for a small count the policy
   * suppresses, the rounded count when the policy rounds, else the cell as it is (empty).
   *
   * @param where the cell's place for the reviewer ({@code row 3, column n})
   */
  Optional<String> release(long value, String where) {
    cells++;
    if (rules.minCellCount().isPresent() && value > 0 && value < rules.minCellCount().getAsInt()) {
      small++;
      if (smallSpots.size() < NAMED_SPOTS) {
        smallSpots.add(where);
      }
      if (rules.smallCounts() == OutputRules.SmallCounts.SUPPRESS) {
        return Optional.of("<" + rules.minCellCount().getAsInt());
      }
    }
    int base = rules.roundCountsTo();
    long nearest = (value + base / 2) / base * base;
    if (nearest != value) {
      rounded++;
      return Optional.of(Long.toString(nearest));
    }
    return Optional.empty();
  }

  /** The results of {@code min_cell_count} and {@code round_counts_to}, for the rules the policy sets. */
  List<RuleResult> results() {
    List<RuleResult> results = new ArrayList<>();
    rules.minCellCount().ifPresent(min -> {
      if (small == 0) {
        results.add(new RuleResult("min_cell_count", RuleResult.Outcome.PASS,
            cells + " count cell(s), none between 1 and " + (min - 1)));
        return;
      }
      String spots = String.join("; ", smallSpots) + (small > smallSpots.size() ? "; and " + (small - smallSpots.size())
          + " more" : "");
      boolean suppressed = rules.smallCounts() == OutputRules.SmallCounts.SUPPRESS;
      results.add(new RuleResult("min_cell_count", suppressed ? RuleResult.Outcome.CHANGED : RuleResult.Outcome.FLAG,
          small + " of " + cells + " count cell(s) below " + min + (suppressed ? ", released as <" + min : "") + ": "
              + spots));
    });
    if (rules.roundCountsTo() > 1) {
      results.add(new RuleResult("round_counts_to", rounded == 0 ? RuleResult.Outcome.PASS : RuleResult.Outcome.CHANGED,
          rounded == 0 ? "every count cell is a multiple of " + rules.roundCountsTo()
              : rounded + " count cell(s) released rounded to a multiple of " + rules.roundCountsTo()));
    }
    return results;
  }

  /** Whether a cell's released text differs from the attested one. */
  boolean changedAny() {
    return rounded > 0 || small > 0 && rules.smallCounts() == OutputRules.SmallCounts.SUPPRESS;
  }
}
