package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.table.CsvFile;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The sha256 of a table's rows as a multiset, the same however the CSV file spells them: row order,
 * column order, line endings (CRLF, LF, CR), a byte-order mark, quoting and spaces around a cell all
 * change the file's bytes but not the fingerprint. What the table holds, which cells equal which, is
 * all it depends on.
 *
 * <p>How: each row becomes its cells in the order of the sorted column names, each cell stripped of
 * surrounding spaces and prefixed with its length (so no two rows encode alike), and is hashed; the
 * rows' hashes are sorted and hashed with the header and the row count. Sorting makes it a multiset
 * hash whose collision resistance is sha256's own (a sum of row hashes would not be: generalised
 * birthday attacks find additive collisions). Duplicate rows count as many times as they occur.
 */
final class DataFingerprint {
  /** A byte-order mark some tools write before the header: not part of the first column's name. */
  private static final String BYTE_ORDER_MARK = "\uFEFF";

  private DataFingerprint() {}

  /** The hex sha256 of {@code csv}'s rows as a multiset of (column name → cell) maps. */
  static String of(CsvFile csv) {
    List<String> header = csv.header().stream().map(DataFingerprint::normalise).toList();
    int[] columnOrder = IntStream.range(0, header.size()).boxed()
        .sorted((a, b) -> header.get(a).compareTo(header.get(b))).mapToInt(Integer::intValue).toArray();
    MessageDigest rowDigest = sha256();
    byte[][] rowHashes = new byte[csv.rows().size()][];
    for (int r = 0; r < rowHashes.length; r++) {
      List<String> row = csv.rows().get(r);
      for (int column : columnOrder) {
        rowDigest.update(lengthPrefixed(row.get(column)));
      }
      rowHashes[r] = rowDigest.digest();
    }
    Arrays.sort(rowHashes, Arrays::compareUnsigned);
    MessageDigest table = sha256();
    for (int column : columnOrder) {
      table.update(lengthPrefixed(header.get(column)));
    }
    table.update(ByteBuffer.allocate(Long.BYTES).putLong(rowHashes.length).array());
    for (byte[] rowHash : rowHashes) {
      table.update(rowHash);
    }
    return HexFormat.of().formatHex(table.digest());
  }

  private static String normalise(String name) {
    return (name.startsWith(BYTE_ORDER_MARK) ? name.substring(1) : name).strip();
  }

  private static byte[] lengthPrefixed(String cell) {
    byte[] utf8 = cell.strip().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(Integer.BYTES + utf8.length);
    out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(utf8.length).array());
    out.writeBytes(utf8);
    return out.toByteArray();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
