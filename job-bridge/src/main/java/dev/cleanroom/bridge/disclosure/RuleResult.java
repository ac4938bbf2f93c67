package dev.cleanroom.bridge.disclosure;

import java.util.Locale;

/**
 * What one disclosure rule found in one output.
 *
 * @param rule the policy key it comes from ({@code file_types}, {@code max_rows}, {@code min_cell_count},
 *     {@code round_counts_to})
 * @param detail one sentence for the reviewer; it may name cells of the output, so it is shown beside the output
 *     (under the airlock rule) and never written to the audit log
 */
public record RuleResult(String rule, Outcome outcome, String detail) {
  public enum Outcome {
    /** Nothing found. */
    PASS,
    /** Found something the reviewer must look at; the scientist receives the output as it is if released. */
    FLAG,
    /** The scientist receives a derivative the rule changed (counts suppressed or rounded). */
    CHANGED,
    /** The output breaks the rule: it is never released to the scientist. */
    FAIL;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
