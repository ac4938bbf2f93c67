package dev.cleanroom.dp.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.InvalidValues;
import dev.cleanroom.dp.policy.MissingValues;
import dev.cleanroom.dp.policy.SourceFormat;
import dev.cleanroom.dp.testing.PatientsWithGaps;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateTableTest {
  @TempDir Path dir;

  private static DatasetPolicy policy(InvalidValues invalidValues) {
    return DatasetPolicy.builder("people")
        .column(new ColumnPolicy.Numeric("age", 18, 65))
        .column(new ColumnPolicy.Categorical("smoker", List.of("yes", "no")))
        .column(new ColumnPolicy.Excluded("ignored"))
        .invalidValues(invalidValues)
        .build();
  }

  private Path csv(String text) throws IOException {
    Path file = dir.resolve("data.csv");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void clampPolicy_movesNaNInfinityAndOutOfBoundsValuesIntoTheBounds() throws IOException {
    Path file = csv("age,smoker,ignored\n30,yes,x\nNaN,no,x\n,no,x\nInfinity,yes,x\n-Infinity,no,x\n99,no,x\nabc,yes,x\n");
    PrivateTable table = PrivateTable.load(file, policy(InvalidValues.CLAMP));
    assertArrayEquals(new double[] {30, 41.5, 41.5, 65, 18, 65, 41.5}, table.numeric("age"));
    assertEquals(7, table.rows());
  }

  @Test
  void clampPolicy_turnsUndeclaredCategoriesIntoOther() throws IOException {
    PrivateTable table = PrivateTable.load(csv("age,smoker\n30,maybe\n31,\" yes \"\n32,\"no\0\"\n"),
        policy(InvalidValues.CLAMP));
    assertEquals(List.of("(other)", "yes", "(other)"), table.categorical("smoker"));
  }

  @Test
  void bytesThatAreNotUtf8_loadAsAnUndeclaredValue() throws IOException {
    Path file = dir.resolve("broken.csv");
    byte[] broken = {'a', 'g', 'e', ',', 's', 'm', 'o', 'k', 'e', 'r', '\n', '3', '0', ',', 'y', (byte) 0xff, 's', '\n',
        (byte) 0xc3, ',', 'n', 'o', '\n'};
    Files.write(file, broken);
    PrivateTable table = PrivateTable.load(file, policy(InvalidValues.CLAMP));
    assertEquals(List.of("(other)", "no"), table.categorical("smoker"));
    assertArrayEquals(new double[] {30, 41.5}, table.numeric("age"));
  }

  @Test
  void rejectPolicy_failsWithACountPerColumn() throws IOException {
    Path file = csv("age,smoker\n30,yes\nNaN,no\n99,maybe\n");
    InvalidDataException e =
        assertThrows(InvalidDataException.class, () -> PrivateTable.load(file, policy(InvalidValues.REJECT)));
    assertTrue(e.getMessage().contains("{age=2, smoker=1}"), e.getMessage());
  }

  @Test
  void rejectPolicy_acceptsCleanData() throws IOException {
    PrivateTable table = PrivateTable.load(csv("age,smoker\n30,yes\n40,no\n"), policy(InvalidValues.REJECT));
    assertArrayEquals(new double[] {30, 40}, table.numeric("age"));
  }

  @Test
  void aDeclaredColumnMissingFromTheCsvIsNamed() throws IOException {
    Path file = csv("age,region\n30,north\n");
    InvalidDataException e =
        assertThrows(InvalidDataException.class, () -> PrivateTable.load(file, policy(InvalidValues.CLAMP)));
    assertTrue(e.getMessage().contains("'smoker'"), e.getMessage());
  }

  @Test
  void quotedFieldsWithCommasAndQuotesAreParsed() throws IOException {
    Path file = csv("age,smoker\n\"30\",\"yes\"\n40,\"n\"\"o\"\n");
    assertEquals(List.of(List.of("30", "yes"), List.of("40", "n\"o")), CsvFile.read(file).rows());
  }

  @Test
  void rowsWithTheWrongNumberOfFieldsAreReportedWithTheirLine() throws IOException {
    Path file = csv("age,smoker\n30,yes\n40\n");
    IOException e = assertThrows(IOException.class, () -> PrivateTable.load(file, policy(InvalidValues.CLAMP)));
    assertTrue(e.getMessage().contains("row 3 has 1 fields"), e.getMessage());
  }

  @Test
  void missingMarkers_loadAsMissing_neitherInvalidNorClampedNorACategory() {
    // The policy rejects invalid values: a marker read as invalid would fail the load.
    PrivateTable table = PatientsWithGaps.table();

    assertEquals(200, count(table.missing("age")));
    assertEquals(400, count(table.missing("bmi")));
    assertEquals(600, count(table.missing("region")));
    double[] bmi = table.numeric("bmi");
    boolean[] bmiMissing = table.missing("bmi");
    for (int row = 0; row < bmi.length; row++) {
      assertTrue(bmiMissing[row] ? bmi[row] == 25 : bmi[row] == 20 || bmi[row] == 40,
          "row " + row + ": a missing bmi is the declared 25, got " + bmi[row]);
    }
    assertEquals(600, table.categorical("region").stream().filter(ColumnPolicy.MISSING::equals).count());
    assertEquals(0, table.categorical("region").stream().filter(ColumnPolicy.Categorical.OTHER::equals).count());
  }

  @Test
  void aColumnThatDeclaresNoMissingValues_readsAMarkerAsInvalid() throws IOException {
    Path file = csv("age,smoker\nNA,yes\n40,no\n");
    InvalidDataException e =
        assertThrows(InvalidDataException.class, () -> PrivateTable.load(file, policy(InvalidValues.REJECT)));
    assertTrue(e.getMessage().contains("age=1"), e.getMessage());
  }

  @Test
  void aDatasetsOwnMarkersReplaceTheDefaults() throws IOException {
    DatasetPolicy policy = DatasetPolicy.builder("people")
        .column(new ColumnPolicy.Numeric("age", 18, 65, true, MissingValues.skipped()))
        .source(new SourceFormat(',', StandardCharsets.UTF_8, List.of("-")))
        .invalidValues(InvalidValues.REJECT)
        .build();

    PrivateTable table = PrivateTable.load(csv("age\n-\n40\n"), policy);
    assertArrayEquals(new boolean[] {true, false}, table.missing("age"));
    assertThrows(InvalidDataException.class, () -> PrivateTable.load(csv("age\nNA\n40\n"), policy));
  }

  @Test
  void aDeclaredCategoryThatLooksLikeAMarker_staysACategory() throws IOException {
    DatasetPolicy policy = DatasetPolicy.builder("answers")
        .column(new ColumnPolicy.Categorical("answer", List.of("yes", "N/A"), MissingValues.skipped()))
        .build();

    PrivateTable table = PrivateTable.load(csv("answer\nN/A\nNA\n"), policy);
    assertEquals(List.of("N/A", ColumnPolicy.MISSING), table.categorical("answer"));
  }

  /**
   * A CSV as providers export it: a byte-order mark, ';' between fields, CRLF line ends, quoted fields holding
   * the separator, a quote and a line break, spaces around numbers; or in Latin-1: the same table as the clean file.
   */
  @Test
  void aHostileCsv_loadsToTheSameTableAsTheCleanOne() throws IOException {
    DatasetPolicy clean = DatasetPolicy.builder("towns")
        .column(new ColumnPolicy.Numeric("age", 18, 65, true, MissingValues.skipped()))
        .column(new ColumnPolicy.Categorical("town", List.of("Zürich", "a;b", "say \"hi\"", "two\nlines")))
        .invalidValues(InvalidValues.REJECT)
        .build();
    DatasetPolicy hostile = DatasetPolicy.builder("towns")
        .columns(clean.columns())
        .source(new SourceFormat(';', StandardCharsets.UTF_8, SourceFormat.DEFAULT_MISSING_MARKERS))
        .invalidValues(InvalidValues.REJECT)
        .build();
    DatasetPolicy latin1 = DatasetPolicy.builder("towns")
        .columns(clean.columns())
        .source(new SourceFormat(';', StandardCharsets.ISO_8859_1, SourceFormat.DEFAULT_MISSING_MARKERS))
        .invalidValues(InvalidValues.REJECT)
        .build();
    Path cleanFile = csv("age,town\n30,Zürich\n40,a;b\nNA,\"say \"\"hi\"\"\"\n50,\"two\nlines\"\n");
    Path hostileFile = dir.resolve("hostile.csv");
    String hostileText = "age;town\r\n 30 ;Zürich\r\n40;\"a;b\"\r\nNA;\"say \"\"hi\"\"\"\r\n50;\"two\nlines\"\r\n";
    Files.writeString(hostileFile, "\uFEFF" + hostileText, StandardCharsets.UTF_8);
    Path latin1File = dir.resolve("latin1.csv");
    Files.writeString(latin1File, hostileText, StandardCharsets.ISO_8859_1);

    PrivateTable fromClean = PrivateTable.load(cleanFile, clean);
    PrivateTable fromHostile = PrivateTable.load(hostileFile, hostile);
    PrivateTable fromLatin1 = PrivateTable.load(latin1File, latin1);

    assertEquals(List.of("Zürich", "a;b", "say \"hi\"", "two\nlines"), fromHostile.categorical("town"));
    assertEquals(fromClean.categorical("town"), fromHostile.categorical("town"));
    assertArrayEquals(fromClean.numeric("age"), fromHostile.numeric("age"));
    assertArrayEquals(fromClean.missing("age"), fromHostile.missing("age"));
    assertArrayEquals(new boolean[] {false, false, true, false}, fromHostile.missing("age"));
    assertEquals(fromClean.categorical("town"), fromLatin1.categorical("town"));
    assertArrayEquals(fromClean.numeric("age"), fromLatin1.numeric("age"));
  }

  private static long count(boolean[] values) {
    long count = 0;
    for (boolean value : values) {
      count += value ? 1 : 0;
    }
    return count;
  }
}
