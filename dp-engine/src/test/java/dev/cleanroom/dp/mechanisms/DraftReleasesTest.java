package dev.cleanroom.dp.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The releases of a drafted policy, each through OpenDP, at the cost OpenDP's map gives. */
class DraftReleasesTest {
  @Test
  void categories_releaseCommonValuesOnly_atTheStatedCost() {
    List<String> values = new ArrayList<>();
    values.addAll(java.util.Collections.nCopies(3000, "no"));
    values.addAll(java.util.Collections.nCopies(1000, "yes"));
    values.add("fe\0male"); // OpenDP's strings hold no NUL: such a value is never a candidate
    values.add("rare");

    DraftReleases.Released<List<String>> released = DraftReleases.categories(values, 0.5, 1e-8);

    assertEquals(List.of("no", "yes"), released.value());
    assertEquals(0.5, released.cost().epsilon(), 1e-6);
    assertTrue(released.cost().delta() <= 1e-8 && released.cost().delta() > 0, released.cost().toString());
  }

  @Test
  void quantile_isACandidateOfThePublicGrid_nearTheTrueOne() {
    double[] ages = new double[5000];
    Arrays.setAll(ages, i -> 20 + i % 45);

    DraftReleases.Released<Double> median = DraftReleases.quantile(ages, 0.5, 2);

    assertTrue(Arrays.stream(DraftReleases.CANDIDATES).anyMatch(c -> c == median.value()), median.toString());
    assertTrue(median.value() >= 20 && median.value() <= 100, median.toString());
    assertEquals(PrivacyCost.pure(2).epsilon(), median.cost().epsilon(), 1e-6);
  }

  @Test
  void count_isNoisyWithinAFewScales() {
    DraftReleases.Released<Long> count = DraftReleases.count(1000, 1);
    assertTrue(Math.abs(count.value() - 1000) < 40, count.toString());
    assertEquals(1, count.cost().epsilon(), 1e-6);
  }
}
