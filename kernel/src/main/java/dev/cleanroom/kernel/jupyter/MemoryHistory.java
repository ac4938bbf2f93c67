package dev.cleanroom.kernel.jupyter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;

/** The cells this kernel ran in this session, for Jupyter's history requests (tail, range, search). */
final class MemoryHistory implements HistoryManager {
  private static final int SESSION = 1;

  private record Cell(int number, String input, String output) {}

  private final List<Cell> cells = new ArrayList<>();

  synchronized void add(int number, String input, String output) {
    cells.add(new Cell(number, input, output == null ? "" : output));
  }

  @Override
  public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
    int from = Math.max(0, cells.size() - Math.max(length, 0));
    return entries(cells.subList(from, cells.size()), flags);
  }

  @Override
  public synchronized List<HistoryEntry> lookupRange(int sessionOffset, int start, int stop, Set<ResultFlag> flags) {
    if (sessionOffset != 0 && sessionOffset != SESSION) {
      return List.of();
    }
    List<Cell> selected = cells.stream()
        .filter(cell -> cell.number() >= start && (stop <= 0 || cell.number() < stop)).toList();
    return entries(selected, flags);
  }

  @Override
  public synchronized List<HistoryEntry> search(String pattern, int length, Set<ResultFlag> flags) {
    Pattern glob = glob(pattern == null || pattern.isEmpty() ? "*" : pattern);
    List<Cell> matching = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = cells.size() - 1; i >= 0 && (length <= 0 || matching.size() < length); i--) {
      Cell cell = cells.get(i);
      if (glob.matcher(cell.input()).matches() && (!flags.contains(ResultFlag.UNIQUE) || seen.add(cell.input()))) {
        matching.add(0, cell);
      }
    }
    return entries(matching, flags);
  }

  private static List<HistoryEntry> entries(List<Cell> cells, Set<ResultFlag> flags) {
    boolean output = flags.contains(ResultFlag.INCLUDE_OUTPUT);
    return cells.stream()
        .map(cell -> new HistoryEntry(SESSION, cell.number(), cell.input(), output ? cell.output() : null))
        .toList();
  }

  /** Jupyter's history patterns are SQLite globs: {@code *}, {@code ?} and {@code [...]}. */
  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        case '[' -> {
          int end = pattern.indexOf(']', i + 1);
          if (end < 0) {
            regex.append("\\[");
          } else {
            String set = pattern.substring(i + 1, end);
            regex.append('[').append(set.startsWith("^") ? "^" + Pattern.quote(set.substring(1)) : Pattern.quote(set))
                .append(']');
            i = end;
          }
        }
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
