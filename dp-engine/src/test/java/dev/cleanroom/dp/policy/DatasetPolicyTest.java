package dev.cleanroom.dp.policy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetPolicyTest {
  private static final List<ColumnPolicy> COLUMNS = List.of(new ColumnPolicy.Numeric("age", 0, 100));

  @Test
  void aPerQueryCapAboveTheBudgetIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> DatasetPolicy.builder("insurance").columns(COLUMNS)
        .budgetPerScientist(PrivacyCost.pure(1)).maxPerQuery(PrivacyCost.pure(2)).build());
    assertTrue(e.getMessage().contains("per-query cap"), e.getMessage());
  }

  @Test
  void datasetNamesThatCouldEscapeAPathAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> DatasetPolicy.builder("../etc").columns(COLUMNS).build());
  }

  @Test
  void boundsMustBeFiniteAndOrdered() {
    assertThrows(IllegalArgumentException.class, () -> new ColumnPolicy.Numeric("x", 5, 5));
    assertThrows(IllegalArgumentException.class, () -> new ColumnPolicy.Numeric("x", 0, Double.POSITIVE_INFINITY));
  }

  @Test
  void categoriesMustBeDistinct() {
    assertThrows(IllegalArgumentException.class, () -> new ColumnPolicy.Categorical("x", List.of("a", "a")));
  }

  /** A declared category is sent to OpenDP: one it cannot take would fail queries after their charge. */
  @Test
  void categoriesMustBeStringsOpenDpTakes_andNotTheOtherBucket() {
    for (String bad : List.of("fe\0male", "\uD800", "(other)")) {
      assertThrows(IllegalArgumentException.class, () -> new ColumnPolicy.Categorical("x", List.of("a", bad)), bad);
    }
  }
}
