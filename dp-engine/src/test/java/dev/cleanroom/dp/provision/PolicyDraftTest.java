package dev.cleanroom.dp.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyException;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.testing.InsuranceData;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PolicyDraftTest {
  private static CsvFile insurance() throws IOException {
    return CsvFile.read(InsuranceData.CSV);
  }

  @Test
  void aDraftCopiesNoBoundFromTheData() throws IOException {
    String draft = PolicyDraft.infer(insurance(), "insurance", "pat", false);
    assertTrue(draft.contains("age: {type: integer, lower: TODO, upper: TODO}"), draft);
    assertTrue(draft.contains("charges: {type: numeric, lower: TODO"), draft);
    assertFalse(draft.contains("63770"), "the largest charge is one person's value");
    assertFalse(draft.contains("1121.87"), "the smallest charge is one person's value");
  }

  @Test
  void aDraftListsOnlyCategoriesSharedByManyRows() {
    CsvFile csv = new CsvFile(List.of("job"), Stream.concat(
        Stream.generate(() -> List.of("nurse")).limit(20), Stream.of(List.of("astronaut"))).toList());
    String draft = PolicyDraft.infer(csv, "jobs", "pat", false);
    assertTrue(draft.contains("categories: [\"nurse\"]"), draft);
    assertFalse(draft.contains("astronaut"), "a value seen once could identify its person");
    assertTrue(draft.contains("1 rarer value(s) left out"), draft);
  }

  @Test
  void anUneditedDraftIsRefusedWithTheFieldsToFill() throws IOException {
    String draft = PolicyDraft.infer(insurance(), "insurance", "pat", false);
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyFile.parse(draft, "draft.yaml"));
    assertTrue(e.problems().contains("columns.age.lower: must be a finite number (got 'TODO')"), e.problems().toString());
  }

  @Test
  void aRevealedDraftIsAValidPolicyWithTheDataBounds() throws IOException {
    DatasetPolicy policy = PolicyFile.parse(PolicyDraft.infer(insurance(), "insurance", "pat", true), "draft");
    assertEquals(new ColumnPolicy.Numeric("age", 18, 64, true), policy.column("age").orElseThrow());
    assertEquals(new ColumnPolicy.Categorical("smoker", List.of("no", "yes")),
        policy.column("smoker").orElseThrow());
  }
}
