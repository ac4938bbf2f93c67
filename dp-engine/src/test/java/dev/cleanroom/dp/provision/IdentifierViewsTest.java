package dev.cleanroom.dp.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.Mechanisms;
import dev.cleanroom.dp.mechanisms.QueryRejectedException;
import dev.cleanroom.dp.mechanisms.RowFilter;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.synth.Synthesizer;
import dev.cleanroom.dp.table.CsvFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An identifier is never in a DP answer or a stage-1 view, except as fake values of its declared format. */
class IdentifierViewsTest {
  private static final String POLICY = """
      dataset: visits
      owner: pat
      views: [dp-query, synthetic, mock]
      columns:
        user: {type: identifier, format: "u-############"}
        age: {type: integer, lower: 0, upper: 100}
        ward: {type: categorical, categories: [a, b]}
      budget:
        per_scientist: {epsilon: 10, delta: 1.0e-5}
        per_query: {epsilon: 5, delta: 1.0e-6}
      synthetic: {epsilon: 2, delta: 1.0e-6}
      """;

  @TempDir Path dir;

  private static DatasetPolicy policy() {
    return PolicyFile.parse(POLICY, "visits.yaml");
  }

  /**
   * 500 rows whose user ids are 'u-' and twelve digits too, so a copied one would look like a fake one (and a fake
   * one meets a real one by chance with probability 2,000 × 500 / 10^12).
   */
  private Path realCsv(Set<String> ids) throws IOException {
    StringBuilder csv = new StringBuilder("user,age,ward\n");
    for (int i = 0; i < 500; i++) {
      String id = String.format("u-%012d", 100_000_000_000L + i * 7919L);
      ids.add(id);
      csv.append(id).append(',').append(20 + i % 60).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
    }
    Path file = dir.resolve("real.csv");
    Files.writeString(file, csv);
    return file;
  }

  @Test
  void theMockAndSyntheticViews_holdFakeIdentifiersOfTheDeclaredFormat_neverARealOne() throws IOException {
    Set<String> realIds = new HashSet<>();
    Path real = realCsv(realIds);
    Path policyFile = dir.resolve("policy.yaml");
    Files.writeString(policyFile, POLICY);
    Path out = dir.resolve("views");
    new Provisioner((table, budget) -> {
      var synthetic = Synthesizer.synthesize(table, budget, new SplittableRandom(1));
      return new Provisioner.SyntheticDataMaker.Result(synthetic.rows(), synthetic.spent());
    }, Clock.systemUTC(), line -> { }).provision(real, policyFile, out, false, Optional.empty());

    for (String view : List.of("mock.csv", "synthetic.csv")) {
      CsvFile rows = CsvFile.read(out.resolve(view));
      assertEquals(List.of("user", "age", "ward"), rows.header(), view);
      List<String> ids = new ArrayList<>(rows.rows().stream().map(row -> row.get(0)).toList());
      assertTrue(ids.stream().allMatch(id -> id.matches("u-\\d{12}")), view + ": " + ids.subList(0, 5));
      ids.retainAll(realIds);
      assertEquals(List.of(), ids, view + " holds real identifiers");
    }
    String schema = Files.readString(out.resolve("schema.json"));
    assertTrue(schema.contains("\"identifier\""), schema);
    realIds.forEach(id -> assertFalse(schema.contains(id)));
  }

  @Test
  void noDpQuery_filter_orGroupBy_takesAnIdentifier_andTheRefusalIsFree() {
    Mechanisms mechanisms = new Mechanisms(policy());
    for (DpQuery<?> query : List.<DpQuery<?>>of(DpQuery.histogram("user", 1), DpQuery.missingCount("user", 1),
        DpQuery.mean("user", 1), DpQuery.median("user", 1), DpQuery.sum("user", 1))) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> mechanisms.prepare(query));
      assertEquals("identifier_column", e.code(), query.describe());
    }
    assertThrows(QueryRejectedException.class,
        () -> RowFilter.checkGroups(policy(), Map.of("user", "u-100000"), "ward"));
    assertThrows(QueryRejectedException.class, () -> mechanisms.prepareByGroup(DpQuery.count(1), Map.of(), "user"));
  }

  @Test
  void theDpQueryServiceNeverLoadsAnIdentifier_soACountStillCountsEveryRow() throws IOException {
    var table = dev.cleanroom.dp.table.PrivateTable.load(realCsv(new HashSet<>()), policy());
    assertThrows(IllegalArgumentException.class, () -> table.categorical("user"));
    try (var count = new Mechanisms(policy()).prepare(DpQuery.count(5))) {
      assertEquals(500, count.release(table).value(), 10);
    }
  }
}
