package dev.cleanroom.dp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.testing.InsuranceData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisionCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new ProvisionCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void provisionsTheInsuranceDatasetAndSaysWhatItSpent() {
    Path views = dir.resolve("views");
    assertEquals(0, run("--data", InsuranceData.CSV.toString(), "--policy", InsuranceData.POLICY.toString(),
        "--out", views.toString()));
    assertTrue(Files.isRegularFile(views.resolve("synthetic.csv")));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Synthetic data spent ε"), out.toString());
    assertTrue(err().contains("Making synthetic.csv"), "progress goes to stderr: " + err());
  }

  @Test
  void aMissingOptionIsAUsageError() {
    assertEquals(2, run("--data", "real.csv"));
    assertTrue(err().contains("--policy is missing"), err());
    assertTrue(err().contains("usage: dcr provision"), err());
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    assertEquals(2, run("--colour", "blue"));
    assertTrue(err().contains("unknown option --colour"), err());
  }

  @Test
  void aMissingFileIsNamedWithoutAStackTrace() {
    assertEquals(1, run("--data", dir.resolve("nope.csv").toString(), "--policy", InsuranceData.POLICY.toString(),
        "--out", dir.resolve("views").toString()));
    assertTrue(err().contains("no such file: "), err());
    assertFalse(err().contains("\tat "), err());
  }

  @Test
  void anInvalidPolicyListsItsProblems() throws Exception {
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "dataset: x\n");
    assertEquals(1, run("--data", InsuranceData.CSV.toString(), "--policy", policy.toString(), "--out",
        dir.resolve("views").toString()));
    assertTrue(err().contains("owner: is missing"), err());
    assertFalse(Files.exists(dir.resolve("views")), "nothing is written for an invalid policy");
  }

  @Test
  void inferPrintsADraftAndWhatItSpent() {
    assertEquals(0, run("--infer", InsuranceData.CSV.toString(), "--dataset", "insurance", "--owner", "pat",
        "--infer-epsilon", "0.5"));
    String draft = out.toString(StandardCharsets.UTF_8);
    assertTrue(draft.contains("dataset: insurance"), draft);
    assertTrue(draft.contains("drafted:\n  epsilon: 0.4"), draft);
    assertFalse(draft.contains("63770"), "the largest charge is one person's value");
    assertTrue(err().contains("drafting spent ε 0.5"), err());
  }

  @Test
  void aNonPositiveInferEpsilonIsAUsageError() {
    assertEquals(2, run("--infer", InsuranceData.CSV.toString(), "--infer-epsilon", "0"));
    assertTrue(err().contains("--infer-epsilon takes a positive number"), err());
  }
}
