package dev.cleanroom.dp.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.InvalidValues;
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
}
