package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.table.CsvFile;
import java.util.List;

/**
 * DP synthetic rows and what making them spent.
 *
 * @param rows header = the policy's visible columns in order; values as they are written to CSV (whole
 *     numbers for integer columns, categories as declared)
 * @param plan the bins, noise scales and ρ shares the synthesis used, fixed before the data was read
 * @param measuredPairs the column pairs whose counts were measured (a DP output, safe to publish)
 */
public record SyntheticTable(CsvFile rows, SynthesisPlan plan, List<ColumnPair> measuredPairs) {
  public SyntheticTable {
    measuredPairs = List.copyOf(measuredPairs);
  }

  /** The (ε, δ) spent, by OpenDP's composition and conversion: at most the budget asked for. */
  public PrivacyCost spent() {
    return plan.cost();
  }

  /** Two columns whose joint counts the synthesizer measured. */
  public record ColumnPair(String first, String second) {}
}
