package dev.cleanroom.kernel.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;

class DpReceiptTest {
  private static Map<String, Long> bars(long north, long other) {
    Map<String, Long> bars = new LinkedHashMap<>();
    bars.put("north", north);
    bars.put("(other)", other);
    return bars;
  }

  private static String text(DisplayData data) {
    return String.valueOf(data.getData(MIMEType.TEXT_PLAIN));
  }

  @Test
  void aNegativeNoisyCount_isShownAs0_andTheReceiptSaysSoWithTheRawValue() {
    DpAnswer<Map<String, Long>> answer =
        new DpAnswer<>(bars(312, 0), PrivacyCost.pure(0.1), "laplace", 10, bars(312, -11));
    DisplayData shown = new DpReceipt<>("insurance", "histogram(region)", answer, Optional.of(PrivacyCost.pure(1)))
        .toDisplayData();

    assertTrue(text(shown).contains("\nDP   (other): 0"), text(shown));
    assertTrue(text(shown).contains("noisy counts below 0 shown as 0 (raw: north 312, (other) -11)"), text(shown));
    assertTrue(String.valueOf(shown.getData(MIMEType.TEXT_HTML)).contains("(raw: north 312, (other) -11)"));
  }

  @Test
  void aCountPostProcessingLeftAlone_saysNothingAboutIt() {
    DpAnswer<Long> answer = new DpAnswer<>(274L, PrivacyCost.pure(0.1), "laplace", 10, 274L);
    String shown = text(new DpReceipt<>("insurance", "count()", answer, Optional.empty()).toDisplayData());

    assertTrue(shown.startsWith("DP count() = 274"), shown);
    assertFalse(shown.contains("raw"), shown);
  }

  @Test
  void aGroupBy_showsTheRawValueOfTheGroupWhoseCountWasRaised() {
    Map<String, DpAnswer<Long>> groups = new LinkedHashMap<>();
    groups.put("yes", new DpAnswer<>(0L, PrivacyCost.pure(0.1), "laplace", 10, -4L));
    groups.put("no", new DpAnswer<>(12L, PrivacyCost.pure(0.1), "laplace", 10, 12L));
    String shown = text(new DpGroupReceipt<>("insurance", "count() group by smoker", groups, PrivacyCost.pure(0.1),
        Optional.empty()).toDisplayData());

    assertTrue(shown.contains("\nDP   yes: 0  ·  noisy counts below 0 shown as 0 (raw: -4)"), shown);
    assertTrue(shown.contains("\nDP   no: 12  (noise scale"), shown);
    assertEquals(Long.valueOf(0), new DpGroupReceipt<>("insurance", "q", groups, PrivacyCost.pure(0.1),
        Optional.empty()).values().get("yes"));
  }
}
