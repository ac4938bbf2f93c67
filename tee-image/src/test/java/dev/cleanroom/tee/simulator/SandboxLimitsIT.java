package dev.cleanroom.tee.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    // Native memory past the limit, each page touched, in a process of its own with no JVM limit on it: only
    // the container's memory limit can stop it.
    String memory = """
        var hog = Files.writeString(Path.of("/tmp/Hog.java"), \"""
            public class Hog {
              public static void main(String[] a) {
                long total = 0;
                while (total < %dL) {
                  java.lang.foreign.Arena.global().allocate(64L << 20).fill((byte) 1);
                  total += 64L << 20;
                  System.out.println(total >> 20);
                }
              }
            }
            \""");
        var process = new ProcessBuilder("/opt/java/bin/java", "-XX:MaxDirectMemorySize=64g", hog.toString())
            .redirectErrorStream(true).start();
        var lines = new String(process.getInputStream().readAllBytes()).strip().lines().toList();
        Dcr.output("memory.txt").write("status " + process.waitFor() + ", MiB " + (lines.isEmpty() ? "none" : lines.get(lines.size() - 1)));
        """.formatted(LIMITS.memoryBytes() + (1L << 30));
    result = LocalRuns.run(dir, work, TestNotebooks.of(forkBomb, memory), LocalRun.JobSettings.defaults(),
        SimulatedWorkload.Isolation.RUNC);
    manifest = LocalRuns.manifest(result.jobFolder());
    System.err.println("sandbox limits: threads started " + Files.readString(result.jobFolder().resolve("outputs/threads.txt"))
        + "; memory hog " + Files.readString(result.jobFolder().resolve("outputs/memory.txt")));
  }

  @Test
  void aForkBomb_stopsAtThePidsLimit() throws Exception {
    String started = Files.readString(result.jobFolder().resolve("outputs/threads.txt"));
    assertTrue(started.endsWith(" then OutOfMemoryError"), started);
    assertTrue(Long.parseLong(started.split(" ")[0]) < LIMITS.pidsLimit(), started);
  }

  @Test
  void memoryPastTheLimit_isKilledAndTheLauncherStillAttests() throws Exception {
    String memory = Files.readString(result.jobFolder().resolve("outputs/memory.txt"));
    assertTrue(memory.startsWith("status 137, MiB "), "the kernel killed the process that took too much: " + memory);
    String last = memory.substring("status 137, MiB ".length());
    assertTrue(last.equals("none") || Long.parseLong(last) << 20 < LIMITS.memoryBytes(), memory);
    assertEquals(JobOutcome.succeeded(), manifest.outcome());
    assertTrue(result.verification().passed(), result.verification().failures().toString());
  }
}
