package dev.cleanroom.tee.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.kernel.magic.Magics;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs the notebook in its own JVM ({@link NotebookProcess}) in stage 2: {@code DCR_STAGE=execution},
 * the checked inputs in {@code DCR_INPUT_DIR}, {@code DCR_OUTPUT_DIR} in the job folder, nothing else
 * of the launcher's environment. Its stdout and stderr go to a log file, which is an output.
 *
 * <p>When the launcher is root in its container, the notebook runs as its own user ({@link NotebookUser}): the job
 * folder, its outputs folder and the notebook's scratch folder are handed to that user, nothing else is. Once the
 * notebook's JVM has ended, or was killed, every other process in the container is ended before this returns, so
 * the launcher hashes outputs no process of the notebook can still write.
 *
 * <p>Invariant: the outcome's reason is made here from the run's shape (which cell, which limit), never
 * from text the notebook controls: the manifest leaves the TEE before the provider's review, and an error
 * message could carry data. The error itself is in the executed notebook, an output held for review.
 */
public final class NotebookExecution {
  /** The runner's result file holds a status, a cell number and a one-line message: far less than this. */
  static final int MAX_RESULT_BYTES = 64 * 1024;
  /** Why the run failed when the result file was over the size or not JSON: fixed, as the file may be the notebook's. */
  static final String RESULT_UNREADABLE = "the notebook's process left a result file the launcher could not read";
  /** Options of the notebook's JVM: no attach, no display, native libraries (OpenDP, xgboost) allowed. */
  public static final List<String> JVM_OPTIONS = List.of("-XX:+DisableAttachMechanism", "-Djava.awt.headless=true",
      "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",
      // JDK 24+ warns on every sun.misc.Unsafe use; notebook libraries (Guava, classgraph) still use it.
      "--sun-misc-unsafe-memory-access=allow");
  /** How long past the total timeout the process may take to stop on its own before it is killed. */
  static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration WATCH_INTERVAL = Duration.ofMillis(250);
  /** How long ending what the notebook left running may take before the job fails instead. */
  static final Duration SWEEP = Duration.ofSeconds(10);

  private final Path java;
  private final String classpath;
  private final Path scratch;
  private final Optional<NotebookUser> user;

  /**
   * @param java the JVM to run (the image's)
   * @param classpath the notebook's class path: the launcher bundle
   * @param scratch a private folder for the result file and the process's working directory
   * @param user the notebook's own user, or empty to run it as the launcher's (the plain-process simulator)
   */
  NotebookExecution(Path java, String classpath, Path scratch, Optional<NotebookUser> user) {
    this.java = java;
    this.classpath = classpath;
    this.scratch = scratch;
    this.user = user;
  }

  /**
   * Runs {@code notebook}, writing the executed copy to {@code executed} and the process's output to
   * {@code log}; stops it when it overruns its time or when {@code outputBytes} passes {@code maxOutputBytes}.
   */
  JobOutcome run(Path notebook, Path executed, Path log, Path inputDir, Path outputDir, Duration cellTimeout,
      Duration totalTimeout, long maxOutputBytes, LongSupplier outputBytes) throws IOException, InterruptedException {
    Path notebookScratch = Files.createDirectories(scratch.resolve("notebook"));
    Path resultFile = notebookScratch.resolve("notebook-result.json");
    Files.deleteIfExists(resultFile);
    if (user.isPresent()) {
      for (Path writable : List.of(notebookScratch, executed.getParent(), outputDir)) {
        handTo(user.get(), writable);
      }
    }
    List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classpath));
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of(NotebookProcess.class.getName(), notebook.toString(), executed.toString(),
        resultFile.toString(), Long.toString(cellTimeout.toSeconds()), Long.toString(totalTimeout.toSeconds()),
        user.map(NotebookUser::argument).orElse(NotebookProcess.SAME_USER)));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(notebookScratch.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().clear();
    builder.environment().putAll(environment(inputDir, outputDir,
        notebook.resolveSibling(ImageLayout.NOTEBOOK_LIBRARIES_FOLDER)));
    Process process = builder.start();
    long deadline = System.nanoTime() + totalTimeout.plus(GRACE).toNanos();
    boolean overLimit = false;
    while (!process.waitFor(WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
      if (outputBytes.getAsLong() > maxOutputBytes) {
        overLimit = true;
        break;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    boolean killed = process.isAlive();
    if (killed) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (!endLeftovers(process)) {
      return JobOutcome.failed("a process the notebook started could not be ended within " + SWEEP.toSeconds() + " s");
    }
    if (killed) {
      return overLimit
          ? JobOutcome.failed("the outputs passed the job's limit of " + maxOutputBytes + " bytes while the notebook ran; it was stopped")
          : JobOutcome.timedOut("the notebook did not stop at its limit of " + totalTimeout.toSeconds() + " s and was killed");
    }
    if (process.exitValue() == NotebookProcess.NOT_SWITCHED) {
      return JobOutcome.failed("the notebook's process could not become the notebook's own user; the notebook did not run");
    }
    // Not through a link: the notebook's user owns the folder the result file is in. Not its exit status: the
    // notebook's code chooses that.
    if (!Files.isRegularFile(resultFile, LinkOption.NOFOLLOW_LINKS)) {
      return JobOutcome.failed("the notebook's process ended before the run finished");
    }
    return readResult(resultFile).map(result -> outcome(result, cellTimeout, totalTimeout))
        .orElse(JobOutcome.failed(RESULT_UNREADABLE));
  }

  /**
   * The runner's result file; empty when it is over {@link #MAX_RESULT_BYTES} or not JSON. The notebook's user owns
   * the folder the file is in and may have forged it: a parse failure's message would quote it, so none is kept.
   */
  static Optional<JsonNode> readResult(Path resultFile) {
    try (InputStream in = Files.newInputStream(resultFile, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes(MAX_RESULT_BYTES + 1);
      return bytes.length > MAX_RESULT_BYTES ? Optional.empty() : Optional.of(CanonicalJson.parse(bytes));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static void handTo(NotebookUser user, Path folder) throws IOException {
    Files.setAttribute(folder, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(folder, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Ends whatever the notebook left running; false when something still ran after {@link #SWEEP}. As its
   * container's first process (pid 1 of the image's own pid namespace, under runc or on Confidential Space) the
   * launcher sees every process the notebook's tree made, orphans included, and ends them all; elsewhere (the
   * plain-process simulator, which isolates nothing) only the notebook's remaining descendants can be found.
   */
  private static boolean endLeftovers(Process notebook) throws InterruptedException {
    if (ProcessHandle.current().pid() != 1) {
      notebook.descendants().forEach(ProcessHandle::destroyForcibly);
      return true;
    }
    long deadline = System.nanoTime() + SWEEP.toNanos();
    while (true) {
      List<ProcessHandle> running = ProcessHandle.allProcesses().filter(p -> p.pid() != 1 && running(p.pid())).toList();
      if (running.isEmpty()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      running.forEach(ProcessHandle::destroyForcibly);
      Thread.sleep(10);
    }
  }

  /** Whether a process still runs: a zombie (ended, waiting for pid 1 to reap it) can write nothing more. */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false; // gone already
    }
  }

  /**
   * The environment of the notebook's JVM: the stage, its folders (the notebook's own libraries beside the notebook,
   * {@link ImageLayout#NOTEBOOK_LIBRARIES} in the image), and the basics of the image's.
   */
  static Map<String, String> environment(Path inputDir, Path outputDir, Path libraries) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String inherited : List.of("PATH", "JAVA_HOME", "LANG", "TZ", "HOME")) {
      String value = System.getenv(inherited);
      if (value != null) {
        env.put(inherited, value);
      }
    }
    env.put("DCR_STAGE", "execution");
    env.put("DCR_INPUT_DIR", inputDir.toString());
    env.put("DCR_OUTPUT_DIR", outputDir.toString());
    env.put(Magics.LIBRARIES_VARIABLE, libraries.toString());
    return env;
  }

  /** The outcome, told in the launcher's words (see the class invariant). */
  static JobOutcome outcome(JsonNode result, Duration cellTimeout, Duration totalTimeout) {
    if (result.path("succeeded").asBoolean(false)) {
      return JobOutcome.succeeded();
    }
    if (result.path("unreadable").asBoolean(false)) {
      return JobOutcome.failed("the kernel's runner could not read the notebook");
    }

    int cell = result.path("cellsRun").asInt(0);
    String message = result.path("message").asText("");
    String where = "code cell " + cell;
    // The runner's own sentences for its limits; a cell's error (text the notebook controls) follows
    // "cell [n] failed:", so it is never read for them.
    if (message.matches("(?s)cell \\[\\d+\\] failed: .*")) {
      return JobOutcome.failed(where + " raised an error; the executed notebook shows it (an output, released after review)");
    }
    if (message.contains("per-cell timeout")) {
      return JobOutcome.timedOut(where + " ran past the per-cell limit of " + cellTimeout.toSeconds() + " s and was stopped");
    }
    if (message.contains("total timeout")) {
      return JobOutcome.timedOut("the notebook ran past its limit of " + totalTimeout.toSeconds() + " s and was stopped at " + where);
    }
    return JobOutcome.failed(where + " raised an error; the executed notebook shows it (an output, released after review)");
  }
}
