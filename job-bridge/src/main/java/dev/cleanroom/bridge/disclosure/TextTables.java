package dev.cleanroom.bridge.disclosure;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the tables in a text, with the place of every cell, so that a rule can read a cell and change it in place.
 *
 * <p>A CSV file is one table of comma-separated rows (a quoted field is one cell; a field never spans lines). In
 * other text (a text file, a notebook's printed output) a table is a run of two or more consecutive lines that split
 * into the same number (two or more) of fields by tabs, by {@code |}, by commas, or by spaces, tried in that order:
 * what a notebook prints as a table or a data frame. Sentences may read as tables too; that errs on the side of
 * checking more cells.
 */
final class TextTables {
  private static final char[] DELIMITERS = {'\t', '|', ',', ' '};

  private TextTables() {}

  /** A cell: where its text starts and ends in the whole text. */
  record Cell(int start, int end) {
    String in(String text) {
      return text.substring(start, end);
    }
  }

  /** A table: its rows of cells, and the line (1-based) it starts on. */
  record Table(int firstLine, List<List<Cell>> rows) {}

  private record Line(int number, int start, int end) {}

  /** The whole text as one comma-separated table (blank lines skipped). */
  static Table csv(String text) {
    List<List<Cell>> rows = new ArrayList<>();
    for (Line line : lines(text)) {
      if (line.end() > line.start()) {
        rows.add(split(text, line, ','));
      }
    }
    return new Table(1, rows);
  }

  /** Every table in printed text. */
  static List<Table> printed(String text) {
    List<Line> lines = lines(text);
    List<Table> tables = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      int next = i + 1;
      for (char delimiter : DELIMITERS) {
        List<List<Cell>> rows = new ArrayList<>();
        rows.add(split(text, lines.get(i), delimiter));
        int width = rows.getFirst().size();
        int j = i + 1;
        while (width >= 2 && j < lines.size()) {
          List<Cell> row = split(text, lines.get(j), delimiter);
          if (row.size() != width) {
            break;
          }
          rows.add(row);
          j++;
        }
        if (rows.size() >= 2) {
          tables.add(new Table(lines.get(i).number(), rows));
          next = j;
          break;
        }
      }
      i = next;
    }
    return tables;
  }

  private static List<Line> lines(String text) {
    List<Line> lines = new ArrayList<>();
    int start = 0;
    int number = 1;
    while (start <= text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      int contentEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      lines.add(new Line(number++, start, contentEnd));
      start = end + 1;
    }
    return lines;
  }

  /**
   * The line's cells, each trimmed of spaces and of the quotes around it. Spaces split on runs of them; {@code |}
   * drops the empty cells a bordered row ({@code | a | b |}) starts and ends with.
   */
  private static List<Cell> split(String text, Line line, char delimiter) {
    List<Cell> cells = new ArrayList<>();
    int start = line.start();
    boolean quoted = false;
    for (int at = line.start(); at <= line.end(); at++) {
      char c = at < line.end() ? text.charAt(at) : delimiter;
      if (c == '"' && delimiter == ',') {
        quoted = !quoted;
      }
      if (c == delimiter && (!quoted || at == line.end())) {
        cells.add(trimmed(text, start, at));
        start = at + 1;
      }
    }
    if (delimiter == ' ' || delimiter == '|') {
      cells.removeIf(cell -> cell.start() == cell.end() && delimiter == ' ');
      if (delimiter == '|' && cells.size() > 1 && cells.getFirst().start() == cells.getFirst().end()) {
        cells.removeFirst();
      }
      if (delimiter == '|' && !cells.isEmpty() && cells.getLast().start() == cells.getLast().end()) {
        cells.removeLast();
      }
    }
    return cells;
  }

  private static Cell trimmed(String text, int start, int end) {
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    if (end - start >= 2 && text.charAt(start) == '"' && text.charAt(end - 1) == '"') {
      start++;
      end--;
    }
    return new Cell(start, end);
  }
}
