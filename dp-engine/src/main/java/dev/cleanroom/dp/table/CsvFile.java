package dev.cleanroom.dp.table;

import dev.cleanroom.dp.policy.SourceFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A CSV file read whole: a header row and data rows of strings. Parsed by Apache Commons CSV (RFC 4180 quoting,
 * fields spanning lines), in the separator and encoding the dataset's {@link SourceFormat} declares; a
 * byte-order mark is skipped.
 */
public record CsvFile(List<String> header, List<List<String>> rows) {
  /** How the stage-1 views (mock and synthetic) write a missing value: an empty cell. */
  public static final String MISSING_CELL = "";

  private static final char BYTE_ORDER_MARK = '\uFEFF';

  public CsvFile {
    header = List.copyOf(header);
    rows = List.copyOf(rows);
  }

  /** Reads a comma-separated UTF-8 file. */
  public static CsvFile read(Path path) throws IOException {
    return read(path, SourceFormat.DEFAULT);
  }

  public static CsvFile read(Path path, SourceFormat format) throws IOException {
    // Bytes the encoding cannot decode read as U+FFFD (a strict decoder would throw half-way through): such a
    // cell is then an undeclared value, which the policy says what to do with.
    CharsetDecoder decoder = format.encoding().newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    try (Reader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(path), decoder))) {
      return parse(reader, format.separator(), path.toString());
    }
  }

  /** Parses CSV text, such as a view the DP query service sent. */
  public static CsvFile parse(String text, char separator) throws IOException {
    return parse(new StringReader(text), separator, "the CSV text");
  }

  private static CsvFile parse(Reader input, char separator, String source) throws IOException {
    Reader reader = input.markSupported() ? input : new BufferedReader(input);
    reader.mark(1);
    if (reader.read() != BYTE_ORDER_MARK) {
      reader.reset();
    }
    CSVFormat csv = CSVFormat.RFC4180.builder().setDelimiter(separator).setIgnoreEmptyLines(true).get();
    List<List<String>> records = new ArrayList<>();
    try (CSVParser parser = CSVParser.builder().setReader(reader).setFormat(csv).get()) {
      for (CSVRecord record : parser) {
        records.add(record.toList());
      }
    } catch (UncheckedIOException e) {
      throw new IOException(source + " is not valid CSV: " + e.getCause().getMessage(), e);
    }
    if (records.isEmpty()) {
      throw new IOException(source + " is empty; a CSV file needs a header row");
    }
    List<String> header = records.get(0).stream().map(String::strip).toList();
    List<List<String>> rows = records.subList(1, records.size());
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).size() != header.size()) {
        throw new IOException(source + ": row " + (i + 2) + " has " + rows.get(i).size() + " fields, the header has "
            + header.size());
      }
    }
    return new CsvFile(header, rows);
  }

  /** Writes the file with a header row, quoting fields that need it, LF line ends, UTF-8. */
  public void write(Path path) throws IOException {
    Files.writeString(path, text(), StandardCharsets.UTF_8);
  }

  /** The file's text: comma separated, a field quoted only when it holds a comma, a quote or a line break. */
  public String text() {
    StringBuilder text = new StringBuilder();
    appendRecord(text, header);
    rows.forEach(row -> appendRecord(text, row));
    return text.toString();
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
}
