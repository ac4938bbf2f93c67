package dev.cleanroom.bridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.backend.TeeBackend.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs as detached processes, tracked by files: one per job, found again, stopped with their children. */
class DetachedRunsTest {
  @TempDir Path dir;

  private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited in vain for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aRunEnds_withItsExitStatus() throws Exception {
    DetachedRuns runs = new DetachedRuns(dir, Clock.systemUTC());
    runs.start("job-a", List.of("sh", "-c", "cat \"$DCR_RUN/message\"; exit 7"), Map.of(),
        folder -> Files.writeString(folder.resolve("message"), "hello from the run\n"));

    await(() -> runs.state("job-a") == RunState.EXITED, "the run to end");

    assertEquals(7, runs.exitStatus("job-a").orElseThrow());
    assertEquals("hello from the run\n", Files.readString(runs.folder("job-a").resolve("log")));
  }

  @Test
  void startingAJobAgain_findsItsRun_andStartsNoSecondProcess() throws Exception {
    DetachedRuns runs = new DetachedRuns(dir, Clock.systemUTC());
    Path counter = dir.resolve("starts");
    List<String> command = List.of("sh", "-c", "echo started >> \"$0\"; sleep 30", counter.toString());
    runs.start("job-b", command, Map.of(), folder -> { });
    await(() -> runs.state("job-b") == RunState.RUNNING, "the run to register");
    // RUNNING is seen once the process exists, a few forks before its first line is written.
    await(() -> Files.exists(counter), "the run's first line");

    runs.start("job-b", command, Map.of(), folder -> { });
    Thread.sleep(300);

    assertEquals(List.of("started"), Files.readAllLines(counter));
    assertEquals(List.of("job-b"), runs.alive());
    runs.stop("job-b");
  }

  @Test
  void stop_killsTheRunAndWhatItStarted_thenTheRunIsLost_andMayStartAgain() throws Exception {
    DetachedRuns runs = new DetachedRuns(dir, Clock.systemUTC());
    runs.start("job-c", List.of("sh", "-c", "sleep 60 & sleep 60; wait"), Map.of(), folder -> { });
    await(() -> runs.state("job-c") == RunState.RUNNING && Files.exists(runs.folder("job-c").resolve("pid")),
        "the run to register");
    long shell = Long.parseLong(Files.readString(runs.folder("job-c").resolve("pid")).strip());
    // The wrapper writes its pid first and starts the two sleeps just after: wait for them too.
    await(() -> ProcessHandle.of(shell).orElseThrow().descendants().count() >= 2, "the run's own children");
    List<ProcessHandle> children = ProcessHandle.of(shell).orElseThrow().descendants().toList();
    assertTrue(children.size() >= 2, "the run's own children: " + children);

    runs.stop("job-c");

    await(() -> runs.state("job-c") == RunState.LOST, "the run to be lost");
    await(() -> children.stream().noneMatch(ProcessHandle::isAlive), "its children to be gone");
    runs.start("job-c", List.of("true"), Map.of(), folder -> { });
    await(() -> runs.state("job-c") == RunState.EXITED, "the new run to end");
    assertTrue(Files.isDirectory(dir.resolve("job-c.lost-1")), "the lost run's folder is kept aside");
  }
}
