package dev.cleanroom.bridge.disclosure;

import dev.cleanroom.dp.policy.OutputRules;
import dev.cleanroom.dp.policy.OutputRules.FileType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs a policy's disclosure rules ({@link OutputRules}) on one output: its kind by content, its tables' rows and
 * count cells ({@link CountCells}), and, where a rule suppresses or rounds, the derivative the scientist receives.
 *
 * <p>Which cells are read, by kind: a CSV file is one table; a text file's tables are found as a notebook prints them
 * ({@link TextTables}); a JSON file's numbers are cells (keyed by their member name) and each array is a table of as
 * many rows; an executed notebook's printed outputs (streams, plain-text results, tracebacks) are read as text, and
 * in its derivative only the plain-text and PNG forms of a result are kept, so that no HTML form repeats a count
 * the plain one suppressed. An image is not read: with a count rule set it is flagged for the reviewer's eyes.
 */
public final class DisclosureChecker {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final Set<String> KEPT_FORMS = Set.of("text/plain", "image/png");

  private final OutputRules rules;

  public DisclosureChecker(OutputRules rules) {
    this.rules = rules;
  }

  public CheckedOutput check(String path, byte[] bytes) {
    Optional<FileType> type = typeOf(path, bytes);
    List<RuleResult> results = new ArrayList<>();
    if (!rules.fileTypes().isEmpty()) {
      boolean allowed = type.filter(rules.fileTypes()::contains).isPresent();
      results.add(new RuleResult("file_types", allowed ? RuleResult.Outcome.PASS : RuleResult.Outcome.FAIL,
          "its content is " + type.map(FileType::code).orElse("binary (none of text, csv, json, png, notebook)")
              + (allowed ? "" : "; the policy allows " + allowedTypes())));
    }
    Rows rows = new Rows();
    CountCells counts = new CountCells(rules);
    Optional<byte[]> derivative = Optional.empty();
    if (type.isPresent()) {
      String text = type.get() == FileType.PNG ? "" : new String(bytes, StandardCharsets.UTF_8);
      String released = switch (type.get()) {
        case CSV -> table(text, TextTables.csv(text), counts, rows, "");
        case TEXT -> printed(text, counts, rows, "");
        case JSON -> Json.encode(json(Json.decodeValue(text), Optional.empty(), counts, rows, "$"));
        case NOTEBOOK -> notebook(new JsonObject(text), counts, rows, results);
        case PNG -> {
          if (rules.minCellCount().isPresent()) {
            results.add(new RuleResult("min_cell_count", RuleResult.Outcome.FLAG,
                "an image is not read for counts: look at it before releasing it"));
          }
          yield text;
        }
      };
      if (counts.changedAny()) {
        derivative = Optional.of(released.getBytes(StandardCharsets.UTF_8));
      }
      if (type.get() != FileType.PNG) {
        results.addAll(counts.results());
      }
    }
    rows.result(rules).ifPresent(results::add);
    return new CheckedOutput(path, type, results, derivative);
  }

  private String allowedTypes() {
    return rules.fileTypes().stream().sorted().map(FileType::code).collect(Collectors.joining(", "));
  }

  /** The output's kind by what it holds; its name only tells a one-column CSV from text. */
  static Optional<FileType> typeOf(String path, byte[] bytes) {
    if (bytes.length >= PNG_SIGNATURE.length && Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0,
        PNG_SIGNATURE.length)) {
      return Optional.of(FileType.PNG);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    if (text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
      return Optional.empty();
    }
    String start = text.stripLeading();
    if (start.startsWith("{") || start.startsWith("[")) {
      try {
        Object value = Json.decodeValue(text);
        return Optional.of(value instanceof JsonObject o && o.getValue("cells") instanceof JsonArray
            && o.containsKey("nbformat") ? FileType.NOTEBOOK : FileType.JSON);
      } catch (DecodeException e) {
        // not JSON: text
      }
    }
    if (path.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") || csvShaped(text)) {
      return Optional.of(FileType.CSV);
    }
    return Optional.of(FileType.TEXT);
  }

  private static boolean csvShaped(String text) {
    List<List<TextTables.Cell>> rows = TextTables.csv(text).rows();
    return rows.size() >= 2 && rows.getFirst().size() >= 2
        && rows.stream().allMatch(row -> row.size() == rows.getFirst().size());
  }

  // ---- tables in text ----

  private String printed(String text, CountCells counts, Rows rows, String where) {
    String released = text;
    List<TextTables.Table> tables = TextTables.printed(text);
    // From the last table to the first, so that a replacement never moves the cells still to read.
    for (TextTables.Table table : tables.reversed()) {
      released = table(released, table, counts, rows, where);
    }
    return released;
  }

  /** Checks one table of {@code text} and returns the text with the table's count cells as they are released. */
  private String table(String text, TextTables.Table table, CountCells counts, Rows rows, String where) {
    List<List<TextTables.Cell>> cells = table.rows();
    if (cells.isEmpty()) {
      return text;
    }
    List<TextTables.Cell> first = cells.getFirst();
    boolean header = first.stream().anyMatch(cell -> !CountCells.isWhole(cell.in(text)) && !isNumber(cell.in(text)));
    rows.saw(cells.size() - (header ? 1 : 0), where + "table at line " + table.firstLine());
    List<Map.Entry<TextTables.Cell, String>> replacements = new ArrayList<>();
    for (int r = header ? 1 : 0; r < cells.size(); r++) {
      List<TextTables.Cell> row = cells.get(r);
      for (int c = 0; c < row.size(); c++) {
        Optional<String> name = header && c < first.size() ? Optional.of(first.get(c).in(text)) : Optional.empty();
        String value = row.get(c).in(text);
        if (!CountCells.isWhole(value) || !counts.isCountColumn(name)) {
          continue;
        }
        String place = where + "line " + (table.firstLine() + r) + ", column " + name.orElse(Integer.toString(c + 1));
        int index = c;
        counts.release(wholeValue(value), place).ifPresent(released -> replacements.add(Map.entry(row.get(index), released)));
      }
    }
    StringBuilder out = new StringBuilder(text);
    replacements.sort(Comparator.comparingInt((Map.Entry<TextTables.Cell, String> e) -> e.getKey().start()).reversed());
    for (Map.Entry<TextTables.Cell, String> replacement : replacements) {
      out.replace(replacement.getKey().start(), replacement.getKey().end(), replacement.getValue());
    }
    return out.toString();
  }

  private static boolean isNumber(String text) {
    return text.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  }

  private static long wholeValue(String text) {
    int dot = text.indexOf('.');
    return Long.parseLong(dot < 0 ? text : text.substring(0, dot));
  }

  // ---- JSON ----

  /** The value as released: count numbers (by their member's name) suppressed or rounded, each array a table. */
  private Object json(Object value, Optional<String> key, CountCells counts, Rows rows, String where) {
    if (value instanceof JsonObject object) {
      JsonObject released = new JsonObject();
      object.forEach(member -> released.put(member.getKey(),
          json(member.getValue(), Optional.of(member.getKey()), counts, rows, where + "." + member.getKey())));
      return released;
    }
    if (value instanceof JsonArray array) {
      rows.saw(array.size(), "array " + where);
      JsonArray released = new JsonArray();
      for (int i = 0; i < array.size(); i++) {
        released.add(json(array.getValue(i), key, counts, rows, where + "[" + i + "]"));
      }
      return released;
    }
    if (value instanceof Number number && CountCells.isWhole(number.toString()) && counts.isCountColumn(key)) {
      Optional<String> released = counts.release(number.longValue(), where);
      if (released.isPresent()) {
        return released.get().startsWith("<") ? released.get() : (Object) Long.parseLong(released.get());
      }
    }
    return value;
  }

  // ---- notebooks ----

  /** The notebook's printed outputs checked as text; the derivative keeps only the forms that were checked. */
  private String notebook(JsonObject notebook, CountCells counts, Rows rows, List<RuleResult> results) {
    JsonObject released = notebook.copy();
    JsonArray cells = released.getJsonArray("cells");
    int dropped = 0;
    for (int i = 0; i < cells.size(); i++) {
      if (!(cells.getValue(i) instanceof JsonObject cell) || !(cell.getValue("outputs") instanceof JsonArray outputs)) {
        continue;
      }
      String where = "cell " + (i + 1) + ", ";
      for (Object item : outputs) {
        if (!(item instanceof JsonObject output)) {
          continue;
        }
        replaceText(output, "text", counts, rows, where);
        replaceText(output, "traceback", counts, rows, where);
        if (output.getValue("data") instanceof JsonObject data) {
          replaceText(data, "text/plain", counts, rows, where);
          if (data.containsKey("image/png") && rules.minCellCount().isPresent()) {
            results.add(new RuleResult("min_cell_count", RuleResult.Outcome.FLAG,
                where + "an image is not read for counts: look at it before releasing the notebook"));
          }
          if (data.containsKey("image/png") && !rules.fileTypes().isEmpty() && !rules.fileTypes().contains(FileType.PNG)) {
            results.add(new RuleResult("file_types", RuleResult.Outcome.FAIL,
                where + "shows an image; the policy allows " + allowedTypes()));
          }
          for (String form : List.copyOf(data.fieldNames())) {
            if (!KEPT_FORMS.contains(form)) {
              data.remove(form);
              dropped++;
            }
          }
        }
      }
    }
    if (dropped > 0 && rules.checksAnything()) {
      results.add(new RuleResult("notebook_forms", RuleResult.Outcome.FLAG, dropped + " output form(s) other than plain"
          + " text and PNG (HTML, JSON, ...) are not checked: the scientist receives the notebook without them when a"
          + " count rule changes it; look at them before releasing it"));
    }
    return released.encodePrettily();
  }

  /** Checks a printed text held as a string or as a list of lines, and puts back what is released. */
  private void replaceText(JsonObject holder, String field, CountCells counts, Rows rows, String where) {
    Object value = holder.getValue(field);
    String text;
    if (value instanceof String s) {
      text = s;
    } else if (value instanceof JsonArray lines) {
      text = lines.stream().map(String::valueOf).collect(Collectors.joining(field.equals("traceback") ? "\n" : ""));
    } else {
      return;
    }
    String released = printed(text, counts, rows, where);
    if (!released.equals(text)) {
      holder.put(field, released);
    }
  }

  // ---- rows ----

  /** The largest table seen, against {@code max_rows}. */
  private static final class Rows {
    private int most;
    private String where = "";

    void saw(int count, String place) {
      if (count > most) {
        most = count;
        where = place;
      }
    }

    Optional<RuleResult> result(OutputRules rules) {
      if (rules.maxRows().isEmpty()) {
        return Optional.empty();
      }
      int max = rules.maxRows().getAsInt();
      return Optional.of(most > max
          ? new RuleResult("max_rows", RuleResult.Outcome.FAIL, "the " + where + " has " + most + " rows; the policy"
              + " allows " + max)
          : new RuleResult("max_rows", RuleResult.Outcome.PASS, "no table has more than " + max + " rows"
              + (most > 0 ? " (the largest has " + most + ")" : "")));
    }
  }
}
