package dev.cleanroom.kernel.jupyter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kernel never outlives the process that started it: a real kernel process under a shell that plays
 * the Jupyter server (its parent, named in {@code JPY_PARENT_PID} as jupyter_client does).
 */
class ParentWatchTest {
  @Test
  void kernelEndsWhenTheServerThatStartedItIsKilled(@TempDir Path dir) throws Exception {
    List<Integer> ports = freePorts(5);
    Path connection = dir.resolve("kernel.json");
    Files.writeString(connection, String.format("""
        {"transport": "tcp", "ip": "127.0.0.1", "shell_port": %d, "iopub_port": %d, "stdin_port": %d,
         "control_port": %d, "hb_port": %d, "key": "test-key", "signature_scheme": "hmac-sha256"}
        """, ports.get(0), ports.get(1), ports.get(2), ports.get(3), ports.get(4)));
    Path log = dir.resolve("kernel.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
        + Files.readString(Path.of("target/classpath.txt")).strip();
    Process server = new ProcessBuilder("sh", "-c",
        "JPY_PARENT_PID=$$ \"$0\" -cp \"$1\" " + KernelMain.class.getName() + " \"$2\" >/dev/null 2>\"$3\" & echo $!; wait",
        java, classpath, connection.toString(), log.toString()).start();
    long kernelPid = Long.parseLong(new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine().strip());
    try {
      awaitListening(ports.get(0), kernelPid, log);
      Thread.sleep(2_500); // more than one check of the watch: it leaves a kernel whose server lives alone
      assertTrue(running(kernelPid), "the kernel ended while its server was alive; its log:\n" + Files.readString(log));

      server.destroyForcibly().waitFor();
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (running(kernelPid) && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertFalse(running(kernelPid), "the kernel still runs 20 s after its server was killed");
      String said = Files.readString(log);
      assertTrue(said.contains("shutting down because its parent process " + server.pid() + " has gone"), said);
    } finally {
      ProcessHandle.of(kernelPid).ifPresent(ProcessHandle::destroyForcibly);
      server.destroyForcibly();
    }
  }

  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  /** Waits until the kernel has bound its shell port (its start is done far enough to be watched). */
  private static void awaitListening(int port, long kernelPid, Path log) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        if (!running(kernelPid)) {
          throw new AssertionError("the kernel ended at start; its log:\n" + Files.readString(log));
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the kernel did not bind its shell port in 120 s");
  }

  /** Alive and not a zombie: an ended kernel re-parented to an init that does not reap stays a zombie. */
  private static boolean running(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
    try {
      String text = Files.readString(stat);
      return text.charAt(text.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException gone) {
      return false;
    }
  }
}
