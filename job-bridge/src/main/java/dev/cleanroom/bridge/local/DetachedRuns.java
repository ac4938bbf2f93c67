package dev.cleanroom.bridge.local;

import dev.cleanroom.bridge.backend.TeeBackend;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs of jobs as detached processes on this machine, each tracked by files in its own folder, so that a run
 * outlives the bridge that started it and a restarted bridge finds it again: the local TEE backends' way of being
 * idempotent by job id.
 *
 * <pre>
 *   &lt;dir&gt;/&lt;job id&gt;/pid     written by the run's own wrapper shell as its first act
 *   &lt;dir&gt;/&lt;job id&gt;/exit    the command's exit status, written when it ends
 *   &lt;dir&gt;/&lt;job id&gt;/log     what it printed (the simulator's log: platform output, never shown to scientists)
 * </pre>
 *
 * <p>Invariant: at most one process tree per job is alive. A start finds the folder of an earlier start and
 * returns that run; a new process is started only when the earlier one is known lost (folder moved aside). A run's
 * wrapper shell carries its folder in its command line ({@code dcr-run:<folder>}), so the run is found among the
 * machine's processes whatever the bridge managed to record before it was killed, and a reused pid is never taken
 * for it.
 */
public final class DetachedRuns {
  /** A run started this recently may not have become its process yet. */
  private static final Duration START_GRACE = Duration.ofSeconds(2);
  private static final String MARK = "dcr-run:";
  private static final String WRAPPER = "echo $$ > \"$DCR_RUN/pid.tmp\" && mv \"$DCR_RUN/pid.tmp\" \"$DCR_RUN/pid\"; "
      + "\"$@\"; echo $? > \"$DCR_RUN/exit.tmp\" && mv \"$DCR_RUN/exit.tmp\" \"$DCR_RUN/exit\"";

  private final Path dir;
  private final Clock clock;

  public DetachedRuns(Path dir, Clock clock) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.clock = clock;
  }

  /** The folder of a job's current run. */
  public Path folder(String jobId) {
    return dir.resolve(jobId);
  }

  /**
   * Starts {@code command} for the job, detached (own session, output to the run's log), or returns the run
   * already started for it. {@code prepare} fills the new run's folder (configuration files) before the start.
   *
   * @return the run's folder
   */
  public Path start(String jobId, List<String> command, Map<String, String> environment, Preparation prepare)
      throws IOException {
    Path run = folder(jobId);
    if (Files.isDirectory(run)) {
      if (state(jobId) != TeeBackend.RunState.LOST) {
        return run;
      }
      moveAside(run);
    }
    try {
      Files.createDirectory(run);
    } catch (FileAlreadyExistsException raced) {
      return run;
    }
    prepare.into(run);
    List<String> wrapped = new ArrayList<>(List.of("setsid", "sh", "-c", WRAPPER, MARK + run));
    wrapped.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(wrapped)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(run.resolve("log").toFile()))
        .redirectErrorStream(true);
    builder.environment().putAll(environment);
    builder.environment().put("DCR_RUN", run.toString());
    builder.start();
    return run;
  }

  /** Writes a run's configuration into its folder before it starts. */
  @FunctionalInterface
  public interface Preparation {
    void into(Path runFolder) throws IOException;
  }

  public TeeBackend.RunState state(String jobId) {
    Path run = folder(jobId);
    if (!Files.isDirectory(run)) {
      return TeeBackend.RunState.LOST;
    }
    if (Files.exists(run.resolve("exit"))) {
      return TeeBackend.RunState.EXITED;
    }
    if (process(run).isPresent()) {
      return TeeBackend.RunState.RUNNING;
    }
    if (Files.exists(run.resolve("pid"))) {
      return TeeBackend.RunState.LOST; // it ran, is gone, and never wrote its exit status: killed
    }
    try {
      // Never became a process (the bridge was killed before it started one), unless it is just starting.
      Instant created = Files.getLastModifiedTime(run).toInstant();
      return clock.instant().isBefore(created.plus(START_GRACE)) ? TeeBackend.RunState.STARTING : TeeBackend.RunState.LOST;
    } catch (IOException e) {
      return TeeBackend.RunState.UNKNOWN;
    }
  }

  /** The exit status of a run that ended. */
  public Optional<Integer> exitStatus(String jobId) {
    try {
      return Optional.of(Integer.parseInt(Files.readString(folder(jobId).resolve("exit")).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Kills the run's process tree, if alive; harmless otherwise. */
  public void stop(String jobId) {
    process(folder(jobId)).ifPresent(shell -> {
      List<ProcessHandle> tree = new ArrayList<>(shell.descendants().toList());
      tree.add(0, shell);
      tree.forEach(ProcessHandle::destroyForcibly);
    });
  }

  /** Job ids whose runs have a live process: for checking that nothing is left behind. */
  public List<String> alive() throws IOException {
    try (Stream<Path> runs = Files.list(dir)) {
      return runs.filter(r -> process(r).isPresent()).map(r -> r.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * The run's wrapper shell, if alive: the process whose command line carries the run's folder; the one its pid
   * file names first, else any. Read from {@code /proc}, because {@link ProcessHandle.Info#arguments()} gives
   * nothing for command lines as long as a Java class path.
   */
  private static Optional<ProcessHandle> process(Path run) {
    byte[] mark = (MARK + run).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      long pid = Long.parseLong(Files.readString(run.resolve("pid")).strip());
      Optional<ProcessHandle> registered = ProcessHandle.of(pid).filter(p -> carries(p, mark));
      if (registered.isPresent()) {
        return registered;
      }
    } catch (IOException | NumberFormatException notYet) {
      // no pid file yet: look among all processes
    }
    return ProcessHandle.allProcesses().filter(p -> carries(p, mark)).findFirst();
  }

  /** Whether one of the process's arguments is {@code mark} exactly. */
  private static boolean carries(ProcessHandle process, byte[] mark) {
    byte[] cmdline;
    try {
      cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
    } catch (IOException | SecurityException gone) {
      return false;
    }
    int start = 0;
    for (int i = 0; i <= cmdline.length; i++) {
      if (i == cmdline.length || cmdline[i] == 0) {
        if (java.util.Arrays.equals(cmdline, start, i, mark, 0, mark.length)) {
          return process.isAlive();
        }
        start = i + 1;
      }
    }
    return false;
  }

  private void moveAside(Path run) throws IOException {
    for (int n = 1; ; n++) {
      Path aside = run.resolveSibling(run.getFileName() + ".lost-" + n);
      if (!Files.exists(aside)) {
        Files.move(run, aside, StandardCopyOption.ATOMIC_MOVE);
        return;
      }
    }
  }
}
