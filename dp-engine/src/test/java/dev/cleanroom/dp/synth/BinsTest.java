package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.testing.InsuranceData;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinsTest {
  private static Bins.Numeric numeric(String column) {
    return (Bins.Numeric) Bins.of(InsuranceData.policy().column(column).orElseThrow());
  }

  @Test
  void of_insuranceColumns_cutsRoundWidthsAlignedToTheirMultiples() {
    assertEquals(Map.of("age", 5.0, "bmi", 2.5, "children", 1.0, "charges", 5000.0),
        Map.of("age", numeric("age").width(), "bmi", numeric("bmi").width(),
            "children", numeric("children").width(), "charges", numeric("charges").width()));
    assertEquals(List.of(11, 16, 6, 13),
        List.of(numeric("age").size(), numeric("bmi").size(), numeric("children").size(), numeric("charges").size()));
    assertEquals(15, numeric("age").firstIndex() * numeric("age").width(), "age 18 lies in [15, 20)");
  }

  @Test
  void numericBin_putsTheUpperBoundOfARealColumnInTheLastBin_andOfAnIntegerColumnInItsOwn() {
    assertEquals(15, numeric("bmi").bin(55));
    assertEquals(14, numeric("bmi").bin(52.49));
    assertEquals(10, numeric("age").bin(65), "65 stands for [65, 66), which lies in [65, 70)");
    assertEquals(9, numeric("age").bin(64));
  }

  @Test
  void numericDraw_staysInsideItsBinAndTheDeclaredBounds() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 1000; i++) {
      long age = Long.parseLong(numeric("age").draw(0, random));
      assertTrue(age == 18 || age == 19, "bin [15, 20) cut to the bound 18 gave " + age);
      assertEquals("65", numeric("age").draw(10, random));
      double bmi = Double.parseDouble(numeric("bmi").draw(15, random));
      assertTrue(bmi >= 52.5 && bmi <= 55, "bmi " + bmi);
    }
  }

  @Test
  void of_aNarrowRealColumn_usesFinerRoundWidthsAndEnoughDecimals() {
    Bins.Numeric share = (Bins.Numeric) Bins.of(new ColumnPolicy.Numeric("share", 0, 0.01));
    assertEquals(0.001, share.width(), 1e-15);
    assertEquals(10, share.size());
    String value = share.draw(3, new SplittableRandom(2));
    assertTrue(Double.parseDouble(value) >= 0.003 && Double.parseDouble(value) <= 0.004, value);
  }

  @Test
  void categoriesBin_ofAnUndeclaredValue_isNone() {
    Bins.Categories smoker = new Bins.Categories(List.of("yes", "no"));
    assertEquals(1, smoker.bin("no"));
    assertEquals(Bins.NONE, smoker.bin("sometimes"));
  }
}
