package dev.cleanroom.dp.policy;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A provider's rules for the stage-2 outputs of jobs on the dataset, beside whether they wait for release at all
 * ({@link DatasetPolicy#outputsNeedRelease}): who releases them, and the disclosure checks the job bridge runs on
 * every output when a job finishes (docs/policy.md, "Output checks").
 *
 * <p>Invariant: {@code approvers} is at least 1 and at most the people who may release (the owner and the
 * {@code reviewers}); a threshold, a rounding base and a row limit are positive when set.
 *
 * @param approvers how many different people must release the outputs (the owner or a reviewer each; never the job's
 *     submitter)
 * @param reviewers provider users besides the owner who may review and release jobs on the dataset
 * @param minCellCount a count cell below this (and above 0) is a small count
 * @param smallCounts whether a small count is flagged for the reviewer or suppressed in what the scientist receives
 * @param roundCountsTo count cells the scientist receives are rounded to a multiple of this; 1 leaves them
 * @param maxRows the most data rows a table may have
 * @param countColumns the columns whose integers are counts; empty: every integer cell of a table is one
 * @param fileTypes the kinds of output allowed, by content; empty: any kind
 */
public record OutputRules(
    int approvers,
    List<String> reviewers,
    OptionalInt minCellCount,
    SmallCounts smallCounts,
    int roundCountsTo,
    OptionalInt maxRows,
    List<String> countColumns,
    Set<FileType> fileTypes) {

  /** What the owner alone decides, with no check: the rules before there were any. */
  public static final OutputRules NONE =
      new OutputRules(1, List.of(), OptionalInt.empty(), SmallCounts.FLAG, 1, OptionalInt.empty(), List.of(), Set.of());

  /** What happens to a count below {@link #minCellCount}. */
  public enum SmallCounts {
    /** Shown to the reviewer beside the output; the scientist receives it as it is, if released. */
    FLAG,
    /** Replaced by {@code <N} (N the threshold) in what the scientist receives; the provider keeps the original. */
    SUPPRESS;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A kind of output file, told by its content. */
  public enum FileType {
    TEXT, CSV, JSON, PNG, NOTEBOOK;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public OutputRules {
    reviewers = List.copyOf(reviewers);
    countColumns = List.copyOf(countColumns);
    fileTypes = fileTypes.isEmpty() ? Set.of() : Set.copyOf(fileTypes);
    if (approvers < 1 || approvers > 1 + reviewers.size()) {
      throw new IllegalArgumentException("outputs.approvers must be between 1 and the number of people who may release"
          + " (the owner and " + reviewers.size() + " reviewer(s)), got " + approvers + "; name more reviewers");
    }
    if (minCellCount.isPresent() && minCellCount.getAsInt() < 1 || roundCountsTo < 1
        || maxRows.isPresent() && maxRows.getAsInt() < 1) {
      throw new IllegalArgumentException("outputs.checks: min_cell_count, round_counts_to and max_rows must be positive");
    }
  }

  /** Whether any disclosure check is set (the file type, the counts or the rows). */
  public boolean checksAnything() {
    return minCellCount.isPresent() || roundCountsTo > 1 || maxRows.isPresent() || !fileTypes.isEmpty();
  }
}
