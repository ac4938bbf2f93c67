package dev.cleanroom.dp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.MissingValues;
import dev.cleanroom.dp.testing.PatientsWithGaps;
import java.time.LocalDate;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The raw noisy value of a post-processed count travels to the SDK, and only when it differs. */
class WireFormatTest {
  private static final PrivacyCost COST = PrivacyCost.pure(0.1);

  @Test
  void aCountShownAs0_carriesItsRawNoisyValue() {
    DpQuery.Count query = DpQuery.count(0.1);
    ObjectNode json = WireFormat.answer(new ChargedAnswer<>("q1", new DpAnswer<>(0L, COST, "laplace", 10, -7L), COST));

    assertEquals(-7, json.path("raw").longValue());
    DpAnswer<Long> read = WireFormat.answer(json, query).answer();
    assertEquals(0L, read.value());
    assertEquals(-7L, read.raw());
  }

  @Test
  void anAnswerPostProcessingLeftAlone_hasNoRawField() {
    ObjectNode json = WireFormat.answer(new ChargedAnswer<>("q1", new DpAnswer<>(12.5, COST, "laplace", 10), COST));

    assertFalse(json.has("raw"));
    assertEquals(12.5, WireFormat.answer(json, DpQuery.mean("x", 0.1)).answer().raw());
  }

  @Test
  void aGroupedHistogram_carriesEachGroupsRawCounts() {
    Map<String, Long> shown = new LinkedHashMap<>(Map.of("a", 0L));
    Map<String, Long> raw = new LinkedHashMap<>(Map.of("a", -3L));
    Map<String, DpAnswer<Map<String, Long>>> groups =
        Map.of("yes", new DpAnswer<>(shown, COST, "laplace", 10, raw));
    ObjectNode json = WireFormat.grouped(new GroupedAnswer<>("q1", "smoker", groups, COST, COST));

    GroupedAnswer<Map<String, Long>> read = WireFormat.grouped(json, DpQuery.histogram("group", 0.1));
    assertEquals(Map.of("a", 0L), read.groups().get("yes").value());
    assertEquals(Map.of("a", -3L), read.groups().get("yes").raw());
  }

  @Test
  void aMissingCountAndHowAnAnswerTreatedMissingValues_travelBothWays() {
    DpQuery<?> query = WireFormat.query(WireFormat.query(DpQuery.missingCount("bmi", 0.1)));
    assertEquals(DpQuery.missingCount("bmi", 0.1), query);

    String said = "the mean skips the rows where 'bmi' is missing";
    ObjectNode json = WireFormat.answer(
        new ChargedAnswer<>("q1", new DpAnswer<>(30.5, COST, "laplace", 1, 30.5, said), COST));
    assertEquals(said, WireFormat.answer(json, DpQuery.mean("bmi", 0.1)).answer().missingValues());
  }

  @Test
  void everyColumnType_andItsMissingValues_travelInTheDatasetsDescription() throws IOException {
    DatasetPolicy policy = DatasetPolicy.builder("everything")
        .columns(PatientsWithGaps.policy().columns())
        .column(new ColumnPolicy.Bool("insured", MissingValues.skipped()))
        .column(ColumnPolicy.Temporal.dates("admitted", LocalDate.of(2024, 1, 1), LocalDate.of(2024, 12, 31),
            MissingValues.NONE))
        .column(new ColumnPolicy.Identifier("user", "u-####"))
        .build();
    DatasetInfo info = DatasetInfo.of(policy);
    DatasetInfo read = WireFormat.read(WireFormat.write(info), new TypeReference<DatasetInfo>() {});
    assertEquals(info.columns(), read.columns());
  }
}
