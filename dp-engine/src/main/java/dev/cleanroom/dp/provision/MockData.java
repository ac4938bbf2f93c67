package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.table.CsvFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Mock rows drawn from the declared schema alone: uniform within each numeric column's bounds (whole
 * numbers for integer columns), uniform over each categorical column's categories; in a column that allows
 * missing values, a share of them (its declared mock rate) is missing, written as an empty cell; an identifier
 * column holds fake values of its declared format.
 *
 * <p>Invariant: the output is a function of the policy only. It never reads the real data, so it
 * cannot leak anything about it; the seed comes from the policy's content, so the same policy gives
 * byte-identical mock data.
 */
public final class MockData {
  /** Enough rows to exercise code; the real row count is private, so it is not used. */
  public static final int DEFAULT_ROWS = 1000;

  private MockData() {}

  public static CsvFile generate(DatasetPolicy policy, int rows) {
    SplittableRandom random = new SplittableRandom(seed(policy));
    List<ColumnPolicy> columns = policy.visibleColumns();
    List<List<String>> data = new ArrayList<>(rows);
    for (int row = 0; row < rows; row++) {
      List<String> values = new ArrayList<>(columns.size());
      for (ColumnPolicy column : columns) {
        if (column.missing().allowed() && random.nextDouble() < column.missing().mockRate()) {
          values.add(CsvFile.MISSING_CELL);
          continue;
        }
        values.add(switch (column) {
          case ColumnPolicy.Numeric n when n.integer() ->
              Long.toString(random.nextLong((long) Math.ceil(n.lower()), (long) Math.floor(n.upper()) + 1));
          case ColumnPolicy.Numeric n -> String.format(Locale.ROOT, "%.3f", random.nextDouble(n.lower(), n.upper()));
          case ColumnPolicy.Categorical c -> c.categories().get(random.nextInt(c.categories().size()));
          case ColumnPolicy.Bool b -> ColumnPolicy.Bool.VALUES.get(random.nextInt(2));
          case ColumnPolicy.Temporal t -> t.format(random.nextLong(t.lower(), t.upper() + 1));
          case ColumnPolicy.Identifier i -> i.fake(random);
          case ColumnPolicy.Excluded e -> throw new IllegalStateException("excluded columns are not visible");
        });
      }
      data.add(values);
    }
    return new CsvFile(columns.stream().map(ColumnPolicy::name).toList(), data);
  }

  private static long seed(DatasetPolicy policy) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(PolicyFile.toYaml(policy).getBytes(StandardCharsets.UTF_8));
      long seed = 0;
      for (int i = 0; i < 8; i++) {
        seed = (seed << 8) | (digest[i] & 0xff);
      }
      return seed;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
