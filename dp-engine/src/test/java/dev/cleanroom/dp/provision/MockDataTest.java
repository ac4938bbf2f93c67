package dev.cleanroom.dp.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.policy.MissingValues;
import dev.cleanroom.dp.testing.InsuranceData;
import dev.cleanroom.dp.testing.PatientsWithGaps;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MockDataTest {
  private final DatasetPolicy policy = InsuranceData.policy();

  @Test
  void mockRowsHaveTheVisibleColumnsInPolicyOrder() {
    CsvFile mock = MockData.generate(policy, 50);
    assertEquals(List.of("age", "sex", "bmi", "children", "smoker", "region", "charges"), mock.header());
    assertEquals(50, mock.rows().size());
  }

  @Test
  void valuesStayWithinTheDeclaredSchema() {
    CsvFile mock = MockData.generate(policy, 2000);
    for (int c = 0; c < mock.header().size(); c++) {
      ColumnPolicy column = policy.column(mock.header().get(c)).orElseThrow();
      for (List<String> row : mock.rows()) {
        String value = row.get(c);
        switch (column) {
          case ColumnPolicy.Numeric n -> {
            double x = Double.parseDouble(value);
            assertTrue(x >= n.lower() && x <= n.upper(), column.name() + "=" + value);
            if (n.integer()) {
              assertTrue(value.matches("-?\\d+"), column.name() + "=" + value);
            }
          }
          case ColumnPolicy.Categorical cat -> assertTrue(cat.categories().contains(value), value);
          case ColumnPolicy.Identifier i -> throw new AssertionError("the insurance data has no identifier");
          case ColumnPolicy.Temporal t -> throw new AssertionError("the insurance data has no date");
          case ColumnPolicy.Bool b -> throw new AssertionError("the insurance data has no boolean");
          case ColumnPolicy.Excluded e -> throw new AssertionError("excluded column in mock data");
        }
      }
    }
  }

  @Test
  void everyCategoryAppears() {
    CsvFile mock = MockData.generate(policy, 2000);
    int region = mock.header().indexOf("region");
    Set<String> seen = mock.rows().stream().map(row -> row.get(region)).collect(Collectors.toSet());
    assertEquals(Set.of("northeast", "northwest", "southeast", "southwest"), seen);
  }

  @Test
  void theSamePolicyGivesTheSameRows() {
    assertEquals(MockData.generate(policy, 100), MockData.generate(policy, 100));
  }

  @Test
  void mockRows_areMissingAtTheDeclaredRate_orTheDefault_inEveryColumnType() {
    CsvFile mock = MockData.generate(PatientsWithGaps.policy(), 4000);

    assertEquals(MissingValues.DEFAULT_MOCK_RATE, PatientsWithGaps.missingShare(mock, "age"), 0.015);
    assertEquals(0.2, PatientsWithGaps.missingShare(mock, "bmi"), 0.025);
    assertEquals(0.3, PatientsWithGaps.missingShare(mock, "region"), 0.025);
  }

  @Test
  void aColumnWithoutMissingValues_hasNoneInTheMockView() {
    CsvFile mock = MockData.generate(policy, 2000);
    for (String column : mock.header()) {
      assertEquals(0, PatientsWithGaps.missingShare(mock, column), column);
    }
  }
}
