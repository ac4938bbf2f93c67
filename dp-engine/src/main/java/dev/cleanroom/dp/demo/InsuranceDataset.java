package dev.cleanroom.dp.demo;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.InvalidValues;
import java.util.List;

/**
 * The demo provider's policy for the insurance dataset (datasets/insurance/real.csv). Bounds are
 * public domain knowledge a provider would declare (adult ages, plausible BMI, charges under 65,000),
 * not values read from the data.
 */
public final class InsuranceDataset {
  private InsuranceDataset() {}

  public static DatasetPolicy policy() {
    return new DatasetPolicy("insurance", List.of(
        new ColumnPolicy.Numeric("age", 18, 65),
        new ColumnPolicy.Categorical("sex", List.of("female", "male")),
        new ColumnPolicy.Numeric("bmi", 15, 55),
        new ColumnPolicy.Numeric("children", 0, 5),
        new ColumnPolicy.Categorical("smoker", List.of("yes", "no")),
        new ColumnPolicy.Categorical("region", List.of("northeast", "northwest", "southeast", "southwest")),
        new ColumnPolicy.Numeric("charges", 0, 65_000)),
        new PrivacyCost(2, 1e-6), new PrivacyCost(1, 1e-6), InvalidValues.CLAMP);
  }
}
