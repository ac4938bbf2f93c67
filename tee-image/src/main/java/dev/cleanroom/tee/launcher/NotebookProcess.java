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
 * <p>Given a user ({@link NotebookUser}, when the launcher is root in its container), the process becomes that
 * user before the notebook's first line runs, and after the run ends every other process of that user: whatever
 * the notebook started is gone before this process exits, so nothing it left behind can write to the job folder
 * once the launcher starts hashing.
 *
 * <p>Arguments: {@code <notebook> <executed notebook> <result file> <cell timeout s> <total timeout s> <user>},
 * the user {@code uid:gid} or {@link #SAME_USER}. Exit status 0 when the result file was written, whatever the
 * notebook did; {@link #NOT_SWITCHED} when the process could not become the user (the notebook did not run).
 */
public final class NotebookProcess {
  /** The user argument that keeps the launcher's user: the plain-process simulator, where nothing is isolated. */
  static final String SAME_USER = "same";
  static final int NOT_SWITCHED = 3;

  private NotebookProcess() {}

  public static void main(String[] args) throws IOException {
    boolean switchUser = !args[5].equals(SAME_USER);
    if (switchUser) {
      try {
        // The kernel's out-of-memory killer then takes the notebook before the launcher, which must still attest.
        // Raised while still root: afterwards /proc/self belongs to root and the notebook cannot lower it again.
        Files.writeString(Path.of("/proc/self/oom_score_adj"), "1000");
        NotebookUser.parse(args[5]).become();
      } catch (IOException | RuntimeException e) {
        System.err.println("notebook process: cannot become the notebook's user " + args[5] + ": " + e.getMessage());
        System.err.flush();
        Runtime.getRuntime().halt(NOT_SWITCHED);
      }
    }
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
    if (switchUser) {
      NotebookUser.endEveryOtherProcessOfThisUser();
    }
    // Threads a notebook started may still run; the run is over.
    Runtime.getRuntime().halt(0);
  }
}
