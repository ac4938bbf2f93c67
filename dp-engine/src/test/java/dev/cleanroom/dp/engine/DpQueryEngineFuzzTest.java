package dev.cleanroom.dp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.BudgetExhaustedException;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.QueryRejectedException;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's fuzz: 10,000 hostile data values (NUL, bytes that are not UTF-8, 1 MB strings, NaN, ±∞, numbers
 * in categorical columns and text in numeric ones, empty cells, CSV quoting) loaded as real data, then every
 * query type, with and without filters and group-bys, valid and invalid. Whatever the data holds, a charged
 * query is answered, and a refused query charges nothing. Seeded: a failure reproduces.
 */
class DpQueryEngineFuzzTest {
  private static final List<String> COLUMNS = List.of("amount", "children", "colour", "size");
  private static final List<String> COLOURS = List.of("red", "green", "blue");
  private static final List<String> SIZES = List.of("S", "L");

  @TempDir Path dir;

  private final Random random = new Random(15);

  @Test
  void hostileDataValues_neverMakeAChargedQueryFail_andRefusalsChargeNothing() throws Exception {
    DatasetPolicy policy = DatasetPolicy.builder("fuzz")
        .column(new ColumnPolicy.Numeric("amount", -50, 100))
        .column(new ColumnPolicy.Numeric("children", 0, 10, true))
        .column(new ColumnPolicy.Categorical("colour", COLOURS))
        .column(new ColumnPolicy.Categorical("size", SIZES))
        .budgetPerScientist(new PrivacyCost(1e6, 1e-3))
        .maxPerQuery(new PrivacyCost(10, 1e-6))
        .build();
    Path csv = dir.resolve("real.csv");
    Files.write(csv, hostileCsv(2_500));

    PrivateTable table = PrivateTable.load(csv, policy);
    assertEquals(2_500, table.rows());

    int answered = 0;
    int refused = 0;
    try (PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"))) {
      DpQueryEngine engine = new DpQueryEngine(table, "fuzz", ledger);
      for (int i = 0; i < 150; i++) {
        DpQuery<?> query = query();
        Map<String, String> where = filter();
        String groupBy = random.nextInt(3) == 0 ? pick(List.of("colour", "size", "colour", "size", "amount")) : null;
        int chargesBefore = ledger.charges("fuzz").size();
        String what = query + " where " + where + " group by " + groupBy;
        try {
          if (groupBy == null) {
            assertAnswer(engine.answer("alice", "q" + i, query, where).answer(), what);
          } else {
            engine.answerByGroup("alice", "q" + i, query, where, groupBy).groups().values()
                .forEach(answer -> assertAnswer(answer, what));
          }
          assertEquals(chargesBefore + 1, ledger.charges("fuzz").size(), what);
          answered++;
        } catch (QueryRejectedException | BudgetExhaustedException e) {
          assertEquals(chargesBefore, ledger.charges("fuzz").size(), "a refusal charged: " + what);
          refused++;
        }
      }
    }
    // Both kinds happen, so the test exercises both promises.
    assertTrue(answered > 60 && refused > 10, answered + " answered, " + refused + " refused");
  }

  private static void assertAnswer(DpAnswer<?> answer, String what) {
    switch (answer.value()) {
      case Double value -> assertTrue(Double.isFinite(value), what + " = " + value);
      case Long value -> assertTrue(value >= 0, what + " = " + value);
      case Map<?, ?> histogram -> assertTrue(histogram.values().stream().allMatch(v -> (Long) v >= 0), what);
      default -> throw new AssertionError("unexpected answer " + answer.value() + " to " + what);
    }
  }

  /** A CSV of {@code rows} rows whose cells are all random hostile values, each field quoted. */
  private byte[] hostileCsv(int rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(String.join(",", COLUMNS).getBytes(StandardCharsets.UTF_8));
    out.write('\n');
    for (int row = 0; row < rows; row++) {
      for (int column = 0; column < COLUMNS.size(); column++) {
        if (column > 0) {
          out.write(',');
        }
        out.write('"');
        for (byte b : value()) {
          if (b == '"') {
            out.write('"');
          }
          out.write(b);
        }
        out.write('"');
      }
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** One hostile cell as raw bytes. */
  private byte[] value() {
    return switch (random.nextInt(16)) {
      case 0 -> utf8(pick(COLOURS) + "\0");
      case 1 -> new byte[] {(byte) 0xff, (byte) 0xfe, 'r', 'e', 'd'};
      case 2 -> new byte[] {(byte) 0xc3}; // a UTF-8 sequence cut short
      case 3 -> random.nextInt(100) == 0 ? utf8("x".repeat(1 << 20)) : utf8("y".repeat(random.nextInt(5000)));
      case 4 -> utf8(pick(List.of("NaN", "Infinity", "-Infinity", "+Infinity", "nan", "inf")));
      case 5 -> utf8(pick(List.of("1e308", "-1e308", "4.9e-324", "0x1p3", "1d", "2f", "-0", "1e400")));
      case 6 -> utf8(Double.toString(random.nextGaussian() * 1000));
      case 7 -> utf8(Integer.toString(random.nextInt()));
      case 8 -> new byte[0];
      case 9 -> utf8(pick(List.of(" ", "\t", "\n", "\r\n", ",", "\"", "(other)", "red,blue")));
      case 10 -> utf8("\uD83D\uDE00" + pick(COLOURS)); // an emoji, valid UTF-8
      case 11 -> new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}; // an encoded surrogate: not UTF-8
      case 12, 13 -> utf8(pick(random.nextBoolean() ? COLOURS : SIZES));
      default -> utf8(Integer.toString(random.nextInt(120) - 10));
    };
  }

  /** A query of each type, one in eight of them with an argument the policy refuses. */
  private DpQuery<?> query() {
    boolean refusable = random.nextInt(8) == 0;
    String numeric = refusable ? pick(List.of("colour", "missing", "amount")) : pick(List.of("amount", "children"));
    double epsilon = refusable ? pick(List.of(1e-12, 20.0, -1.0, Double.NaN, 0.5)) : pick(List.of(0.5, 1.0, 0.001));
    double delta = random.nextInt(4) == 0 ? (refusable ? pick(List.of(1e-3, -1e-9, 1e-7)) : 1e-7) : 0;
    return switch (random.nextInt(5)) {
      case 0 -> new DpQuery.Count(epsilon, delta);
      case 1 -> new DpQuery.Sum(numeric, epsilon, delta);
      case 2 -> new DpQuery.Mean(numeric, epsilon, delta);
      case 3 -> new DpQuery.Histogram(refusable ? pick(List.of("amount", "size")) : pick(List.of("colour", "size")),
          epsilon, delta);
      default -> new DpQuery.Quantile(numeric, refusable ? pick(List.of(0.0, 1.5, 0.5)) : pick(List.of(0.5, 0.1, 0.99)),
          epsilon);
    };
  }

  /** A filter of up to two columns, mostly declared categories, sometimes a value no policy declares. */
  private Map<String, String> filter() {
    Map<String, String> where = new HashMap<>();
    int filters = random.nextInt(3);
    for (int i = 0; i < filters; i++) {
      boolean refusable = random.nextInt(8) == 0;
      String column = refusable ? pick(List.of("colour", "size", "amount")) : pick(List.of("colour", "size"));
      List<String> declared = column.equals("colour") ? COLOURS : SIZES;
      where.put(column, refusable ? new String(value(), StandardCharsets.UTF_8) : pick(declared));
    }
    return where;
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
