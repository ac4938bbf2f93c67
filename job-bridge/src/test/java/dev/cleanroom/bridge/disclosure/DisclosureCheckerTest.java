package dev.cleanroom.bridge.disclosure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.disclosure.RuleResult.Outcome;
import dev.cleanroom.dp.policy.OutputRules;
import dev.cleanroom.dp.policy.OutputRules.FileType;
import dev.cleanroom.dp.policy.OutputRules.SmallCounts;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DisclosureCheckerTest {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};

  private static OutputRules rules(SmallCounts small, int roundTo, OptionalInt maxRows, List<String> countColumns,
      Set<FileType> types) {
    return new OutputRules(1, List.of(), OptionalInt.of(10), small, roundTo, maxRows, countColumns, types);
  }

  private static CheckedOutput check(OutputRules rules, String path, String content) {
    return new DisclosureChecker(rules).check(path, content.getBytes(StandardCharsets.UTF_8));
  }

  private static RuleResult result(CheckedOutput output, String rule) {
    return output.results().stream().filter(r -> r.rule().equals(rule)).findFirst().orElseThrow();
  }

  private static String derivative(CheckedOutput output) {
    return new String(output.derivative().orElseThrow(), StandardCharsets.UTF_8);
  }

  private static final OutputRules SUPPRESS = rules(SmallCounts.SUPPRESS, 1, OptionalInt.empty(), List.of(), Set.of());
  private static final OutputRules FLAG = rules(SmallCounts.FLAG, 1, OptionalInt.empty(), List.of(), Set.of());

  @Test
  void csv_smallCountSuppressed_inTheDerivativeOnly() {
    CheckedOutput out = check(SUPPRESS, "outputs/by_region.csv", "region,n\nnorth,120\nsouth,3\n");
    assertEquals(Outcome.CHANGED, result(out, "min_cell_count").outcome());
    assertTrue(result(out, "min_cell_count").detail().contains("line 3, column n"), result(out, "min_cell_count").detail());
    assertEquals("region,n\nnorth,120\nsouth,<10\n", derivative(out));
  }

  @Test
  void csv_smallCountFlagged_isReleasedAsItIs() {
    CheckedOutput out = check(FLAG, "outputs/by_region.csv", "region,n\nnorth,120\nsouth,3\n");
    assertEquals(Outcome.FLAG, out.outcome());
    assertEquals(Optional.empty(), out.derivative());
  }

  @Test
  void zeroAndCountsAtTheThreshold_areNotSmall() {
    CheckedOutput out = check(SUPPRESS, "t.csv", "region,n\nnorth,10\nsouth,0\n");
    assertEquals(Outcome.PASS, out.outcome());
  }

  @Test
  void quotedAndDecimalCounts_areCountsToo() {
    CheckedOutput out = check(SUPPRESS, "t.csv", "region,n\n\"north\",\"4\"\nsouth,7.0\n");
    assertEquals("region,n\n\"north\",\"<10\"\nsouth,<10\n", derivative(out));
  }

  @Test
  void countColumns_narrowTheCheckToTheirColumns() {
    OutputRules named = rules(SmallCounts.SUPPRESS, 1, OptionalInt.empty(), List.of("N"), Set.of());
    CheckedOutput out = check(named, "t.csv", "year,n\n2019,4\n2020,40\n");
    assertEquals("year,n\n2019,<10\n2020,40\n", derivative(out), "the year column is not a count column");
  }

  @Test
  void roundCountsTo_roundsEveryCountCell() {
    OutputRules round = new OutputRules(1, List.of(), OptionalInt.empty(), SmallCounts.FLAG, 5, OptionalInt.empty(),
        List.of(), Set.of());
    CheckedOutput out = check(round, "t.csv", "region,n\nnorth,122\nsouth,125\neast,13\n");
    assertEquals("region,n\nnorth,120\nsouth,125\neast,15\n", derivative(out));
    assertEquals(Outcome.CHANGED, result(out, "round_counts_to").outcome());
  }

  @Test
  void maxRows_withholdsALargerTable() {
    OutputRules rows = rules(SmallCounts.FLAG, 1, OptionalInt.of(2), List.of(), Set.of());
    CheckedOutput out = check(rows, "t.csv", "id,n\n1,20\n2,30\n3,40\n");
    assertEquals(Outcome.FAIL, result(out, "max_rows").outcome());
    assertTrue(out.withheld());
    assertEquals(Outcome.PASS, result(check(rows, "t.csv", "id,n\n1,20\n2,30\n"), "max_rows").outcome());
  }

  @Test
  void fileTypes_areToldByContent_notByName() {
    OutputRules onlyCsv = rules(SmallCounts.FLAG, 1, OptionalInt.empty(), List.of(), Set.of(FileType.CSV));
    CheckedOutput disguised = new DisclosureChecker(onlyCsv).check("outputs/plot.csv", PNG);
    assertEquals(Optional.of(FileType.PNG), disguised.type());
    assertTrue(disguised.withheld(), "a PNG named .csv is a PNG");
    assertTrue(new DisclosureChecker(onlyCsv).check("a.csv", new byte[] {0, 1, 2, (byte) 0xff}).withheld(), "binary");
    assertEquals(Optional.of(FileType.CSV), check(onlyCsv, "rows.txt", "a,b\n1,20\n").type(), "CSV-shaped text");
    assertEquals(Optional.of(FileType.JSON), check(onlyCsv, "x.txt", "{\"n\": 20}").type());
    assertTrue(check(onlyCsv, "x.txt", "{\"n\": 20}").withheld());
  }

  @Test
  void png_isFlaggedForTheReviewersEyes_whenCountsAreChecked() {
    CheckedOutput out = new DisclosureChecker(FLAG).check("plot.png", PNG);
    assertEquals(Outcome.FLAG, result(out, "min_cell_count").outcome());
  }

  @Test
  void text_printedTables_areChecked() {
    CheckedOutput out = check(SUPPRESS, "summary.txt", "Claims by smoker\nsmoker  n\nyes     4\nno      212\ndone\n");
    assertEquals("Claims by smoker\nsmoker  n\nyes     <10\nno      212\ndone\n", derivative(out));
  }

  @Test
  void json_countsByMemberName_andArraysAsTables() {
    OutputRules named = rules(SmallCounts.SUPPRESS, 1, OptionalInt.of(2), List.of("count"), Set.of());
    CheckedOutput out = check(named, "c.json", "{\"rows\": [{\"age\": 30, \"count\": 3}, {\"age\": 40, \"count\": 30}]}");
    assertEquals("{\"rows\":[{\"age\":30,\"count\":\"<10\"},{\"age\":40,\"count\":30}]}", derivative(out));
    assertEquals(Outcome.PASS, result(out, "max_rows").outcome());
  }

  @Test
  void notebook_printedOutputsAreChecked_andTheDerivativeDropsUncheckedForms() {
    String notebook = """
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
          {"cell_type": "code", "source": ["t.groupBy(\\"smoker\\")"], "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["smoker,n\\n", "yes,3\\n", "no,212\\n"]},
            {"output_type": "execute_result", "data": {"text/plain": "smoker n\\nyes 3\\nno 212",
              "text/html": "<td>3</td>"}}]}]}""";
    CheckedOutput out = check(SUPPRESS, "executed.ipynb", notebook);
    assertEquals(Optional.of(FileType.NOTEBOOK), out.type());
    assertEquals(Outcome.CHANGED, result(out, "min_cell_count").outcome());
    assertTrue(result(out, "min_cell_count").detail().startsWith("2 of 4"), result(out, "min_cell_count").detail());
    String released = derivative(out);
    assertTrue(released.contains("yes,<10") && released.contains("yes <10"), released);
    assertFalse(released.contains("<td>3</td>"), "an HTML form would repeat the suppressed count");
    assertEquals(Outcome.FLAG, result(out, "notebook_forms").outcome());
  }
}
