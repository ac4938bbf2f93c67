package dev.cleanroom.kernel.jupyter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/** A real kernel process of a test, as a Jupyter server starts it: its pid, its connection, its log. */
record KernelProcess(long pid, KernelConnectionProperties connection, Path log) {
  /** A connection file for free loopback ports, in {@code dir}. */
  static Path connectionFile(Path dir) throws IOException {
    return Files.writeString(dir.resolve("kernel.json"), KernelTraining.loopbackConnection());
  }

  static KernelProcess of(long pid, Path connectionFile, Path log) throws IOException {
    return new KernelProcess(pid, KernelConnectionProperties.parse(Files.readString(connectionFile)), log);
  }

  /** Waits until the kernel has bound its shell port: it has started. */
  void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), connection.getShellPort())) {
        return;
      } catch (IOException notYet) {
        if (!running()) {
          throw new AssertionError("the kernel ended at start; its log:\n" + Files.readString(log));
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the kernel did not bind its shell port in 120 s; its log:\n" + Files.readString(log));
  }

  /** Alive and not a zombie: an ended kernel re-parented to an init that does not reap stays a zombie. */
  boolean running() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException gone) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
  }

  /** The command line the kernel runs with (after its launcher's exec). */
  String commandLine() throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
  }

  void kill() {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  String said() throws IOException {
    return Files.readString(log);
  }
}
