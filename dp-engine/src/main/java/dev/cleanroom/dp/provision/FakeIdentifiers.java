package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.CsvFile;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Puts a dataset's identifier columns into synthetic rows, which the synthesizer makes from the other columns
 * only: each row gets fake values of the declared formats, drawn without reading the data, and the columns are
 * in the policy's order.
 */
public final class FakeIdentifiers {
  private FakeIdentifiers() {}

  public static CsvFile addTo(CsvFile rows, DatasetPolicy policy, RandomGenerator random) {
    if (policy.identifierColumns().isEmpty()) {
      return rows;
    }
    List<ColumnPolicy> columns = policy.visibleColumns();
    List<List<String>> withIdentifiers = new ArrayList<>(rows.rows().size());
    for (List<String> row : rows.rows()) {
      List<String> values = new ArrayList<>(columns.size());
      for (ColumnPolicy column : columns) {
        values.add(column instanceof ColumnPolicy.Identifier identifier ? identifier.fake(random)
            : row.get(rows.header().indexOf(column.name())));
      }
      withIdentifiers.add(values);
    }
    return new CsvFile(columns.stream().map(ColumnPolicy::name).toList(), withIdentifiers);
  }
}
