package dev.cleanroom.tee.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.tee.LocalRuns;
import dev.cleanroom.tee.TestNotebooks;
import dev.cleanroom.tee.api.LaunchPolicy;
import dev.cleanroom.tee.api.LocalRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A notebook that tries to take the host down in the runc simulator: a fork bomb (threads and processes are
 * both tasks to the kernel's pids limit), then native memory past the limit. One run, one image.
 */
class SandboxLimitsIT {
  /** The production launch policy's limits, which the images of {@link LocalRuns} carry. */
  private static final LaunchPolicy.Sandbox LIMITS = LaunchPolicy.Sandbox.standard();

  @TempDir static Path dir;
  @TempDir static Path work;
  private static LocalRun.Result result;
  private static JobManifest manifest;

  @BeforeAll
  static void aNotebookTriesToExhaustTheHost() throws Exception {
    assumeTrue(LocalRuns.runc(), "runc isolation needs root with runc and umoci (./dcr test installs them as root)");
    String forkBomb = """
        var sleepers = new ArrayList<Thread>();
        String started;
        try {
          for (int i = 0; i < 4000; i++) {
            Thread t = new Thread(null, () -> { try { Thread.sleep(600_000); } catch (InterruptedException e) { } }, "bomb", 64 * 1024);
            t.start();
            sleepers.add(t);
          }
          started = "all " + sleepers.size();
        } catch (Throwable e) {
          started = sleepers.size() + " then " + e.getClass().getSimpleName();
        }
        sleepers.forEach(Thread::interrupt);
        Dcr.output("threads.txt").write(started);
        """;
    // Native memory, outside the heap's own limit, each page touched so that it is really used.
    String memory = """
        long chunk = 64L << 20;
        long total = 0;
        while (total < %d) {
          java.lang.foreign.Arena.global().allocate(chunk).fill((byte) 1);
          total += chunk;
        }
        Dcr.output("memory.txt").write("allocated " + (total >> 20) + " MiB");
        """.formatted(LIMITS.memoryBytes() + (1L << 30));
    result = LocalRuns.run(dir, work, TestNotebooks.of(forkBomb, memory), LocalRun.JobSettings.defaults(),
        SimulatedWorkload.Isolation.RUNC);
    manifest = LocalRuns.manifest(result.jobFolder());
  }

  @Test
  void aForkBomb_stopsAtThePidsLimit() throws Exception {
    String started = Files.readString(result.jobFolder().resolve("outputs/threads.txt"));
    assertTrue(started.endsWith(" then OutOfMemoryError"), started);
    assertTrue(Long.parseLong(started.split(" ")[0]) < LIMITS.pidsLimit(), started);
  }

  @Test
  void nativeMemoryPastTheLimit_killsTheNotebookAndTheLauncherStillAttests() {
    assertEquals(JobOutcome.failed("the notebook's process ended (status 137) before the run finished"), manifest.outcome());
    assertFalse(manifest.outputs().containsKey("outputs/memory.txt"), manifest.outputs().toString());
    assertTrue(result.verification().passed(), result.verification().failures().toString());
  }
}
