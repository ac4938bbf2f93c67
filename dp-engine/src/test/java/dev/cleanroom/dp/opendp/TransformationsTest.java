package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TransformationsTest {
  private static Transformation clampF64(double lower, double upper) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance()) {
      return Transformations.makeClamp(vector, symmetric, lower, upper);
    }
  }

  @Test
  void makeClamp_clampsEveryElementIntoBounds() {
    try (Transformation clamp = clampF64(0, 10);
        Data input = Data.vecF64(new double[] {-5, 3, 42, Double.POSITIVE_INFINITY});
        Data output = clamp.invoke(input)) {
      assertArrayEquals(new double[] {0, 3, 10, 10}, output.asF64Vec());
    }
  }

  @Test
  void makeClamp_onDomainThatAllowsNaN_isRefusedByOpenDp() {
    try (Domain atom = Domains.atomDomain("f64", true);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance()) {
      OpenDpException e =
          assertThrows(OpenDpException.class, () -> Transformations.makeClamp(vector, symmetric, 0.0, 1.0));
      assertTrue(e.getMessage().toLowerCase().contains("nan"), e.getMessage());
    }
  }

  @Test
  void makeSum_chainedAfterClamp_hasSensitivityOfTheLargerBound() {
    try (Transformation clamp = clampF64(0, 100);
        Domain clamped = clamp.outputDomain();
        Metric metric = clamp.outputMetric();
        Transformation sum = Transformations.makeSum(clamped, metric);
        Transformation clampThenSum = Combinators.makeChainTt(sum, clamp);
        Data input = Data.vecF64(new double[] {12, 55.5, 130, -4});
        Data total = clampThenSum.invoke(input);
        Data one = Data.u32(1);
        Data sensitivity = clampThenSum.map(one)) {
      assertEquals(12 + 55.5 + 100 + 0, total.asF64(), 1e-9);
      // One record added or removed moves the sum by at most 100, plus float-rounding slack.
      assertEquals(100, sensitivity.asF64(), 1e-6);
      assertTrue(sensitivity.asF64() >= 100);
    }
  }

  @Test
  void makeCount_countsRecords() {
    try (Domain atom = Domains.atomDomain("f64", true);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation count = Transformations.makeCount(vector, symmetric, "i64");
        Data input = Data.vecF64(new double[] {1, Double.NaN, 3});
        Data n = count.invoke(input)) {
      assertEquals(3, n.asI64());
      assertEquals("u32", count.inputDistanceType());
    }
  }

  @Test
  void makeMean_needsASizedBoundedDomain() {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain sized = Domains.vectorDomain(atom, 4);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation clamp = Transformations.makeClamp(sized, symmetric, 0.0, 10.0);
        Domain clamped = clamp.outputDomain();
        Metric metric = clamp.outputMetric();
        Transformation mean = Transformations.makeMean(clamped, metric);
        Transformation clampThenMean = Combinators.makeChainTt(mean, clamp);
        Data input = Data.vecF64(new double[] {1, 2, 3, 20});
        Data result = clampThenMean.invoke(input)) {
      assertEquals((1 + 2 + 3 + 10) / 4.0, result.asF64(), 1e-12);
    }
  }

  @Test
  void makeMean_onUnsizedDomain_isRefused() {
    try (Transformation clamp = clampF64(0, 10);
        Domain clamped = clamp.outputDomain();
        Metric metric = clamp.outputMetric()) {
      assertThrows(OpenDpException.class, () -> Transformations.makeMean(clamped, metric));
    }
  }

  @Test
  void makeImputeConstant_replacesNaN() {
    try (Domain atom = Domains.atomDomain("f64", true);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation impute = Transformations.makeImputeConstant(vector, symmetric, 5);
        Data input = Data.vecF64(new double[] {1, Double.NaN});
        Data output = impute.invoke(input)) {
      assertArrayEquals(new double[] {1, 5}, output.asF64Vec());
    }
  }

  @Test
  void makeResize_padsToTheRequestedSize() {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation resize = Transformations.makeResize(vector, symmetric, 4, 0);
        Data input = Data.vecF64(new double[] {7, 8});
        Data output = resize.invoke(input)) {
      assertEquals(4, output.asF64Vec().length);
    }
  }

  @Test
  void makeCountByCategories_countsDeclaredCategoriesAndTheRest() {
    try (Domain atom = Domains.atomDomain("String");
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation histogram = Transformations.makeCountByCategories(
            vector, symmetric, List.of("yes", "no"), true, "L1Distance<i64>", "i64");
        Data input = Data.vecString(List.of("yes", "no", "no", "maybe"));
        Data counts = histogram.invoke(input)) {
      assertArrayEquals(new long[] {1, 2, 1}, counts.asI64Vec());
    }
  }

  @Test
  void unknownTypeDescriptorIsReportedWithOpenDpsVariant() {
    OpenDpException e = assertThrows(OpenDpException.class, () -> Domains.atomDomain("f65"));
    assertEquals("TypeParse", e.variant());
  }
}
