package dev.cleanroom.dp.policy;

import java.util.List;

/** A policy file that cannot be used, with every problem found, each naming its field and the fix. */
public final class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public PolicyException(String source, List<String> problems) {
    super(source + " is not a valid policy:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  public String code() {
    return "invalid_policy";
  }
}
