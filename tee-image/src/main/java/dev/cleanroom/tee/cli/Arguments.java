package dev.cleanroom.tee.cli;

import java.util.Deque;

/** The values of command-line options; a missing or malformed one is an {@link IllegalArgumentException} (a usage error). */
final class Arguments {
  private Arguments() {}

  static String value(Deque<String> rest, String option) {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return rest.pop();
  }

  static long number(Deque<String> rest, String option) {
    String value = value(rest, option);
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'");
    }
  }
}
