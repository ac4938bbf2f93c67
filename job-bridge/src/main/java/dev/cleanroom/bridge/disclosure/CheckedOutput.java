package dev.cleanroom.bridge.disclosure;

import dev.cleanroom.dp.policy.OutputRules;
import java.util.List;
import java.util.Optional;

/**
 * One output after the disclosure checks: its kind by content, each rule's result, and what the scientist would
 * receive on release.
 *
 * @param path its name in the job folder, as the attested manifest names it
 * @param type its kind by content; empty when it is none the policy can name (a binary file)
 * @param derivative the bytes the scientist receives instead of the attested ones, when a rule changed them
 */
public record CheckedOutput(String path, Optional<OutputRules.FileType> type, List<RuleResult> results,
    Optional<byte[]> derivative) {
  public CheckedOutput {
    results = List.copyOf(results);
  }

  /** The worst outcome among the results. */
  public RuleResult.Outcome outcome() {
    return results.stream().map(RuleResult::outcome).max(Enum::compareTo).orElse(RuleResult.Outcome.PASS);
  }

  /** Whether a rule forbids releasing it at all. */
  public boolean withheld() {
    return outcome() == RuleResult.Outcome.FAIL;
  }
}
