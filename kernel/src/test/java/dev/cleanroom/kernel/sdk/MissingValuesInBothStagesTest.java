package dev.cleanroom.kernel.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.client.EngineDpClient;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.provision.MockData;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.provision.FakeIdentifiers;
import dev.cleanroom.dp.synth.Synthesizer;
import dev.cleanroom.dp.table.PrivateTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * One notebook that handles missing values runs in stage 1 (on the mock or the synthetic view) and in stage 2 (on
 * the real rows, a ';'-separated Latin-1 file with every default marker) and meets the same column types and the
 * same missing-value representation in both.
 */
class MissingValuesInBothStagesTest {
  private static final String POLICY = """
      dataset: patients
      owner: pat
      views: [dp-query, VIEW]
      columns:
        age: {type: integer, lower: 0, upper: 100, missing: allowed}
        bmi: {type: numeric, lower: 10, upper: 60, missing: {impute: 25, mock_rate: 0.2}}
        region: {type: categorical, categories: [north, süd], missing: {mock_rate: 0.3}}
        admitted: {type: date, lower: 2024-01-01, upper: 2024-12-31, missing: {mock_rate: 0.1}}
        user: {type: identifier, format: "p-##########"}
        insured: {type: boolean}
      budget:
        per_scientist: {epsilon: 10, delta: 1.0e-5}
        per_query: {epsilon: 5, delta: 1.0e-6}
      synthetic: {epsilon: 4, delta: 1.0e-6}
      invalid_values: reject
      source: {separator: ';', encoding: ISO-8859-1}
      """;
  private static final int ROWS = 2000;
  private static final List<String> MARKERS = List.of("NA", "", "N/A", "null", "NaN");

  /** Ages missing in 10% of rows, bmis in 20%, regions in 30%. */
  private static String realCsv() {
    StringBuilder csv = new StringBuilder("age;bmi;region;admitted;user;insured\r\n");
    for (int i = 0; i < ROWS; i++) {
      String marker = MARKERS.get(i % MARKERS.size());
      int place = i % 10;
      csv.append(place < 1 ? marker : Integer.toString(20 + i % 50)).append(';')
          .append(place >= 8 ? marker : i % 2 == 0 ? "20.5" : "40").append(';')
          .append(place >= 3 && place < 6 ? marker : i % 2 == 0 ? "north" : "süd").append(';')
          .append(place == 6 ? marker : java.time.LocalDate.of(2024, 1, 1).plusDays(i % 366)).append(';')
          .append(realId(i)).append(';').append(i % 3 == 0 ? "yes" : "N").append("\r\n");
    }
    return csv.toString();
  }

  private static String realId(int row) {
    return String.format("p-%010d", 1_000_000_000L + row);
  }

  /** What the notebook learns: each column's type and missing share, and two DP answers on missing values. */
  record Seen(Map<String, String> types, Map<String, Double> missingShares, long missingBmis, double meanAge,
      List<String> users) {}

  /** The notebook: the same code in both stages. */
  private static Seen notebook() {
    Dataset patients = Dcr.dataset("patients");
    Table rows = patients.table();
    Map<String, String> types = new java.util.LinkedHashMap<>();
    Map<String, Double> shares = new java.util.LinkedHashMap<>();
    for (Column<?> column : rows.columns()) {
      types.put(column.name(), column.type().name());
      shares.put(column.name(), column.countMissing() / (double) rows.rowCount());
    }
    // Code written against missing values: the present ages' mean, without NaN.
    double meanAge = rows.intColumn("age").removeMissing().mean();
    assertTrue(Double.isFinite(meanAge));
    return new Seen(types, shares, patients.dp().missingCount("bmi", 1), patients.dp().mean("age", 1),
        rows.stringColumn("user").asList());
  }

  private static DatasetPolicy policy(String view) {
    return PolicyFile.parse(POLICY.replace("VIEW", view), "patients.yaml");
  }

  private static Seen stage1(Path dir, String view) throws Exception {
    DatasetPolicy policy = policy(view);
    Path real = Files.createDirectories(dir).resolve("real.csv");
    Files.writeString(real, realCsv(), StandardCharsets.ISO_8859_1);
    PrivateTable table = PrivateTable.load(real, policy);
    Path views = Files.createDirectories(dir.resolve("views"));
    MockData.generate(policy, MockData.DEFAULT_ROWS).write(views.resolve("mock.csv"));
    // As dcr provision makes it: the synthesizer's rows with fake identifiers put in.
    FakeIdentifiers.addTo(Synthesizer.synthesize(table, policy.syntheticCost(), new SplittableRandom(3)).rows(),
        policy, new SplittableRandom(4)).write(views.resolve("synthetic.csv"));
    try (PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"))) {
      Dcr.use(Environment.of(Map.of("DCR_STAGE", "exploration", "DCR_SCRATCH_DIR", dir.resolve("scratch").toString())),
          new EngineDpClient(Caller.scientist("alice"), ledger,
              List.of(new ProvisionedDataset(policy, views, table, "patients"))));
      return notebook();
    }
  }

  private static Seen stage2(Path dir, String view) throws Exception {
    Path input = Files.createDirectories(dir.resolve("input/patients"));
    Files.writeString(input.resolve("real.csv"), realCsv(), StandardCharsets.ISO_8859_1);
    Files.writeString(input.resolve("policy.yaml"), PolicyFile.toYaml(policy(view)));
    Dcr.use(Environment.of(Map.of("DCR_STAGE", "execution", "DCR_INPUT_DIR", dir.resolve("input").toString(),
        "DCR_OUTPUT_DIR", dir.resolve("output").toString())), null);
    return notebook();
  }

  @Test
  void theMockView_andTheRealRows_haveTheSameTypesAndMissingValuesAtTheDeclaredRates(@TempDir Path dir)
      throws Exception {
    Seen mock = stage1(dir.resolve("one"), "mock");
    Seen real = stage2(dir.resolve("two"), "mock");

    Map<String, String> types = Map.of("age", "INTEGER", "bmi", "DOUBLE", "region", "STRING", "admitted", "LOCAL_DATE",
        "user", "STRING", "insured", "BOOLEAN");
    assertEquals(types, mock.types());
    assertEquals(types, real.types());
    assertEquals(List.of("age", "bmi", "region", "admitted", "user", "insured"), List.copyOf(real.types().keySet()));
    assertShares(Map.of("age", 0.1, "bmi", 0.2, "region", 0.3, "admitted", 0.1, "insured", 0.0), real.missingShares(),
        1e-9);
    // The mock rates are the declared ones (age declares none: the default 5%).
    assertShares(Map.of("age", 0.05, "bmi", 0.2, "region", 0.3, "admitted", 0.1), mock.missingShares(), 0.04);
    // Identifiers: the real keys in stage 2, for joins; in stage 1 fake ones of the declared format, none real.
    assertEquals(realId(0), real.users().get(0));
    assertTrue(mock.users().stream().allMatch(id -> id.matches("p-\\d{10}")), mock.users().subList(0, 3).toString());
    assertTrue(mock.users().stream().noneMatch(real.users()::contains));
    // DP answers on the real rows in both stages: 400 missing bmis, a mean of the present ages of 44.5.
    for (Seen seen : List.of(mock, real)) {
      assertEquals(400, seen.missingBmis(), 40);
      assertEquals(44.5, seen.meanAge(), 3);
    }
  }

  @Test
  void theSyntheticView_isMissingAtAboutTheRealRates(@TempDir Path dir) throws Exception {
    Seen synthetic = stage1(dir.resolve("one"), "synthetic");
    Seen real = stage2(dir.resolve("two"), "synthetic");

    assertEquals(real.types(), synthetic.types());
    assertShares(real.missingShares(), synthetic.missingShares(), 0.06);
    assertTrue(synthetic.users().stream().noneMatch(real.users()::contains), "a real identifier in the synthetic view");
  }

  private static void assertShares(Map<String, Double> expected, Map<String, Double> actual, double tolerance) {
    expected.forEach((column, share) ->
        assertEquals(share, actual.get(column), tolerance, column + " in " + actual));
  }
}
