package dev.cleanroom.kernel.jupyter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kernel never outlives the process that started it: a real kernel process under a shell that plays
 * the Jupyter server (its parent, named in {@code JPY_PARENT_PID} as jupyter_client does).
 */
class ParentWatchTest {
  @Test
  void kernelEndsWhenTheServerThatStartedItIsKilled(@TempDir Path dir) throws Exception {
    Path connection = KernelProcess.connectionFile(dir);
    Path log = dir.resolve("kernel.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
        + Files.readString(Path.of("target/classpath.txt")).strip();
    Process server = new ProcessBuilder("sh", "-c",
        "JPY_PARENT_PID=$$ \"$0\" -cp \"$1\" " + KernelMain.class.getName() + " \"$2\" >/dev/null 2>\"$3\" & echo $!; wait",
        java, classpath, connection.toString(), log.toString()).start();
    KernelProcess kernel = KernelProcess.of(Long.parseLong(new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine().strip()), connection, log);
    try {
      kernel.awaitListening();
      Thread.sleep(2_500); // more than one check of the watch: it leaves a kernel whose server lives alone
      assertTrue(kernel.running(), "the kernel ended while its server was alive; its log:\n" + kernel.said());

      server.destroyForcibly().waitFor();
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (kernel.running() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertFalse(kernel.running(), "the kernel still runs 20 s after its server was killed");
      assertTrue(kernel.said().contains("shutting down because its parent process " + server.pid() + " has gone"),
          kernel.said());
    } finally {
      kernel.kill();
      server.destroyForcibly();
    }
  }
}
