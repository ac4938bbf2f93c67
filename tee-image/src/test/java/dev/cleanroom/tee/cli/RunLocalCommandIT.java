package dev.cleanroom.tee.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.tee.LocalRuns;
import dev.cleanroom.tee.TestNotebooks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcr run-local} as a person sees it: the outcome, the steps, and how to verify. */
class RunLocalCommandIT {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private int runLocal(String... cells) throws Exception {
    Path notebook = TestNotebooks.write(dir.resolve("notebook.ipynb"), cells);
    return new RunLocalCommand(new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(notebook.toString(),
        "--dataset", LocalRuns.INSURANCE.toString(), "--out", dir.resolve("job").toString());
  }

  @Test
  void aNotebookThatSucceeds_exits0AndSaysHowToVerify() throws Exception {
    assertEquals(0, runLocal("Dcr.output(\"rows.txt\").write(\"\" + Dcr.dataset(\"insurance\").table().rowCount());"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("outcome: succeeded"), printed);
    assertTrue(printed.contains("outputs: executed.ipynb, logs/notebook.log, outputs/rows.txt"), printed);
    assertTrue(printed.matches("(?s).*steps:   build \\d+ ms, unpack \\d+ ms, run \\d+ ms, report \\d+ ms, verify \\d+ ms.*"), printed);
    assertTrue(printed.contains("VERIFIED as a SIMULATED run"), printed);
    assertTrue(printed.contains("./dcr verify --allow-simulator"), printed);
    assertTrue(Files.isRegularFile(dir.resolve("job/report.json")));
  }

  @Test
  void aNotebookThatFails_exits1AndShowsTheCellsErrorFromTheExecutedNotebook() throws Exception {
    assertEquals(1, runLocal("int answer = 42;", "undefinedVariable + 1"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("outcome: failed: code cell 2 raised an error"), printed);
    assertTrue(printed.contains("(from the executed notebook, an output)"), printed);
    assertTrue(printed.contains("VERIFIED as a SIMULATED run"), "a failed job's report still verifies: " + printed);
  }
}
