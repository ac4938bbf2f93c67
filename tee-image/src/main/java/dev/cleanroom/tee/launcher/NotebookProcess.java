package dev.cleanroom.tee.launcher;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.kernel.runner.NotebookRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The notebook's own JVM, started by the {@link Launcher}: runs the notebook with the kernel's headless
 * runner and writes how the run ended to a result file. Kept apart from the launcher's JVM so that the
 * notebook's code cannot reach the launcher's memory through the Java runtime, its memory use cannot kill
 * the launcher, and a cell that ignores every stop can still be killed.
 *
 * <p>Arguments: {@code <notebook> <executed notebook> <result file> <cell timeout s> <total timeout s>}.
 * Exit status 0 when the result file was written, whatever the notebook did.
 */
public final class NotebookProcess {
  private NotebookProcess() {}

  public static void main(String[] args) throws IOException {
    Path notebook = Path.of(args[0]);
    Path executed = Path.of(args[1]);
    Path resultFile = Path.of(args[2]);
    Duration cellTimeout = Duration.ofSeconds(Long.parseLong(args[3]));
    Duration totalTimeout = Duration.ofSeconds(Long.parseLong(args[4]));
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    try {
      NotebookRunner.Result run = new NotebookRunner(cellTimeout, totalTimeout).run(notebook, executed);
      result.put("succeeded", run.succeeded());
      result.put("cellsRun", run.cellsRun());
      result.put("message", run.message());
    } catch (IOException | RuntimeException e) {
      // The runner could not read the notebook (the launcher checked its shape first, so this is rare).
      result.put("succeeded", false);
      result.put("cellsRun", 0);
      result.put("unreadable", true);
      result.put("message", String.valueOf(e.getMessage()));
    }
    Files.write(resultFile, CanonicalJson.serialize(result));
    System.out.flush();
    System.err.flush();
    // Threads a notebook started may still run; the run is over.
    Runtime.getRuntime().halt(0);
  }
}
