package dev.cleanroom.tee.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Another local user of the simulator's host (nobody, as a scientist's stage-1 kernel on the same machine runs):
 * while a run is on, it asks the simulator's launcher socket for a token.
 */
final class HostUser {
  /** A token client as any user could write one: GET /v1/token on the socket, the answer's status line printed. */
  private static final String CLIENT = """
      import java.net.UnixDomainSocketAddress;
      import java.nio.ByteBuffer;
      import java.nio.channels.SocketChannel;
      import java.nio.charset.StandardCharsets;
      public class Mint {
        public static void main(String[] args) {
          try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
            c.write(ByteBuffer.wrap("GET /v1/token HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(64);
            c.read(answer);
            System.out.println("answered: " + new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII).lines().findFirst().orElse(""));
          } catch (Exception e) {
            System.out.println("refused: " + e);
          }
        }
      }
      """;

  private HostUser() {}

  /**
   * Waits (up to 3 minutes) for the launcher socket of this process's simulator run to appear, then tries it as
   * nobody; returns what the client printed.
   */
  static String mintWhileARunIsOn() {
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        Set<Path> sockets = ownLauncherSockets();
        if (!sockets.isEmpty()) {
          return tryAsNobody(sockets.iterator().next());
        }
        Thread.sleep(50);
      }
      return "no launcher socket appeared";
    } catch (IOException | InterruptedException e) {
      return "the attempt itself failed: " + e;
    }
  }

  /**
   * The launcher sockets this process serves (its simulator's), not another run's on the same host: the paths
   * {@code /proc/net/unix} gives for the socket inodes among this process's open files.
   */
  private static Set<Path> ownLauncherSockets() throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // closed while listed
        }
      }
    }
    Set<Path> sockets = new HashSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length == 8 && inodes.contains(fields[6]) && fields[7].endsWith("/teeserver.sock")) {
        sockets.add(Path.of(fields[7]));
      }
    }
    return sockets;
  }

  private static String tryAsNobody(Path socket) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("dcr-host-user-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    try {
      Path client = Files.writeString(dir.resolve("Mint.java"), CLIENT, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process = new ProcessBuilder(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java,
          client.toString(), socket.toString())).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      process.waitFor(1, TimeUnit.MINUTES);
      return out;
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }
}
