package dev.cleanroom.dp.source;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for the SQL this package writes: names and values from a policy never become SQL syntax. */
final class Sql {
  private Sql() {}

  /** {@code name} as a quoted identifier ("a ""b"""). */
  static String name(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code text} as a string literal ('it''s'). */
  static String text(String text) {
    return '\'' + text.replace("'", "''") + '\'';
  }

  /** {@code texts} as a list of string literals, for IN (...) and ENUM (...). */
  static String texts(List<String> texts) {
    return texts.stream().map(Sql::text).collect(Collectors.joining(", "));
  }

  /** A double as a literal DuckDB reads back to the same double (Java prints the shortest such decimal). */
  static String number(double value) {
    return "CAST(" + text(Double.toString(value)) + " AS DOUBLE)";
  }
}
