package dev.cleanroom.dp.table;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A CSV file read whole: a header row and data rows of strings (RFC 4180 quoting, comma separated). */
public record CsvFile(List<String> header, List<List<String>> rows) {
  public CsvFile {
    header = List.copyOf(header);
    rows = List.copyOf(rows);
  }

  public static CsvFile read(Path path) throws IOException {
    List<List<String>> records = new ArrayList<>();
    // Bytes that are not UTF-8 read as U+FFFD (InputStreamReader replaces; Files.newBufferedReader would throw
    // half-way through): such a cell is then an undeclared value, which the policy says what to do with.
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8))) {
      String line;
      int lineNumber = 0;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        StringBuilder record = new StringBuilder(line);
        // A quoted field may span lines: keep reading while the quotes are unbalanced.
        while (quoteCount(record) % 2 == 1) {
          String next = reader.readLine();
          if (next == null) {
            throw new IOException(path + ": line " + lineNumber + " opens a quote that is never closed");
          }
          record.append('\n').append(next);
        }
        if (!record.isEmpty()) {
          records.add(parse(record.toString()));
        }
      }
    }
    if (records.isEmpty()) {
      throw new IOException(path + " is empty; a CSV file needs a header row");
    }
    List<String> header = records.get(0).stream().map(String::strip).toList();
    List<List<String>> rows = records.subList(1, records.size());
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).size() != header.size()) {
        throw new IOException(path + ": row " + (i + 2) + " has " + rows.get(i).size() + " fields, the header has "
            + header.size());
      }
    }
    return new CsvFile(header, rows);
  }

  /** Writes the file with a header row, quoting fields that need it, LF line ends, UTF-8. */
  public void write(Path path) throws IOException {
    StringBuilder text = new StringBuilder();
    appendRecord(text, header);
    rows.forEach(row -> appendRecord(text, row));
    Files.writeString(path, text, StandardCharsets.UTF_8);
  }

  private static void appendRecord(StringBuilder text, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      String field = fields.get(i);
      if (i > 0) {
        text.append(',');
      }
      if (field.contains(",") || field.contains("\"") || field.contains("\n") || field.contains("\r")) {
        text.append('"').append(field.replace("\"", "\"\"")).append('"');
      } else {
        text.append(field);
      }
    }
    text.append('\n');
  }

  private static long quoteCount(CharSequence text) {
    return text.chars().filter(c -> c == '"').count();
  }

  private static List<String> parse(String record) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < record.length(); i++) {
      char c = record.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < record.length() && record.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}
