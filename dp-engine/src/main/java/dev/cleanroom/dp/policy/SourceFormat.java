package dev.cleanroom.dp.policy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * How a provider's file is written: the CSV separator, the text encoding, and the cells that mean "no value".
 * A missing marker is compared with the cell after surrounding spaces are stripped, ignoring case ({@code na} is
 * {@code NA}); a declared category that is also a marker stays a category.
 *
 * @param separator the character between fields, such as {@code ,} or {@code ;}
 * @param encoding the file's character set; a byte-order mark at the start is skipped in any case
 * @param missingMarkers the cells read as missing in columns that allow missing values
 */
public record SourceFormat(char separator, Charset encoding, List<String> missingMarkers) {
  /** The markers a provider gets without declaring any. */
  public static final List<String> DEFAULT_MISSING_MARKERS = List.of("", "NA", "N/A", "null", "NaN");

  /** Comma separated UTF-8 with the default missing markers. */
  public static final SourceFormat DEFAULT = new SourceFormat(',', StandardCharsets.UTF_8, DEFAULT_MISSING_MARKERS);

  public SourceFormat {
    Objects.requireNonNull(encoding, "encoding");
    missingMarkers = List.copyOf(missingMarkers);
    if (separator == '"' || separator == '\n' || separator == '\r') {
      throw new IllegalArgumentException("A CSV separator cannot be a quote or a line break, got '" + separator + "'");
    }
    for (String marker : missingMarkers) {
      if (!marker.equals(marker.strip())) {
        throw new IllegalArgumentException("A missing marker is compared after spaces are stripped, so '" + marker
            + "' never matches; write it without surrounding spaces");
      }
    }
  }

  /** Whether {@code cell} stands for a missing value. */
  public boolean isMissing(String cell) {
    String stripped = cell.strip();
    return missingMarkers.stream().anyMatch(stripped::equalsIgnoreCase);
  }
}
