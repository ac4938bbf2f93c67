package dev.cleanroom.tee.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new ImageCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void noVerb_isAUsageError() {
    assertEquals(2, run());
    assertTrue(err().contains("usage: dcr image build"), err());
  }

  @Test
  void build_withoutADestination_isAUsageError() {
    assertEquals(2, run("build", "notebook.ipynb"));
    assertTrue(err().startsWith("dcr image build: name the notebook, and either --out or --push"), err());
  }

  @Test
  void build_withBothDestinations_isAUsageError() {
    assertEquals(2, run("build", "notebook.ipynb", "--out", "image", "--push", "127.0.0.1:5000/x:y"));
  }

  @Test
  void build_anOptionWithoutItsValue_isAUsageError() {
    assertEquals(2, run("build", "notebook.ipynb", "--out"));
    assertTrue(err().startsWith("dcr image build: --out needs a value"), err());
  }

  @Test
  void build_inputsThatAreNotAList_isAUsageError() {
    assertEquals(2, run("build", "notebook.ipynb", "--inputs", "insurance/real.csv", "--out", "image"));
    assertTrue(err().startsWith("dcr image build: --inputs must be name=commitment pairs separated by commas"), err());
  }

  @Test
  void help_printsTheUsage() {
    assertEquals(0, run("build", "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: dcr image build"));
  }
}
