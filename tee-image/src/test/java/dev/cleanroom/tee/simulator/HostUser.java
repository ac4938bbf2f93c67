package dev.cleanroom.tee.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Another local user of the simulator's host (nobody, as a scientist's stage-1 kernel on the same machine runs):
 * while a run is on, it looks for the simulator's launcher sockets and asks one for a token.
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
   * Waits (up to 3 minutes) for a launcher socket of a simulator run to appear under /tmp, then tries it as nobody;
   * returns what the client printed.
   */
  static String mintWhileARunIsOn() {
    try {
      Set<Path> before = sockets();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        for (Path socket : sockets()) {
          if (!before.contains(socket)) {
            return tryAsNobody(socket);
          }
        }
        Thread.sleep(50);
      }
      return "no launcher socket appeared";
    } catch (IOException | InterruptedException e) {
      return "the attempt itself failed: " + e;
    }
  }

  /** Launcher sockets of simulator runs: {@code /tmp/dcr-launcher-*}{@code /teeserver.sock}, found as root. */
  private static Set<Path> sockets() throws IOException {
    try (Stream<Path> dirs = Files.list(Path.of("/tmp"))) {
      return Set.copyOf(dirs.filter(d -> d.getFileName().toString().startsWith("dcr-launcher-"))
          .map(d -> d.resolve("teeserver.sock")).filter(Files::exists).toList());
    }
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
