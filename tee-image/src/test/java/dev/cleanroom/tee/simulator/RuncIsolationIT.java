package dev.cleanroom.tee.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.tee.LocalRuns;
import dev.cleanroom.tee.TestNotebooks;
import dev.cleanroom.tee.api.LaunchPolicy;
import dev.cleanroom.tee.api.LocalRun;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inside the runc simulator a notebook cannot reach the network, cannot write outside its job folder,
 * cannot read the host's files, and reads the real data only read-only. One notebook tries each and
 * writes down what happened (an output); the tests read that and check the host.
 */
class RuncIsolationIT {
  @TempDir static Path dir;
  @TempDir static Path work;
  @TempDir static Path host;
  private static ServerSocket hostService;
  private static Path hostSecret;
  private static final String MARKER = "dcr-escape-" + UUID.randomUUID();
  private static Map<String, String> attempts;
  private static LocalRun.Result result;
  /** Why the run did not give a verified report, when it did not (a forged manifest does not parse). */
  private static Exception runFailure;
  private static Path jobFolder;
  private static String hostUserMint;

  /**
   * The notebook's last cell leaves a process behind that waits for the notebook's JVM to end, then keeps writing
   * an output and, once the launcher has written them, overwrites the manifest and the token.
   */
  private static final String LATE_CHILD = """
      var source = Path.of("/tmp/Late.java");
      Files.writeString(source, \"""
          import java.nio.file.*;
          public class Late {
            public static void main(String[] a) throws Exception {
              ProcessHandle notebook = ProcessHandle.current().parent().orElseThrow();
              while (notebook.isAlive()) Thread.sleep(5);
              for (int i = 0; i < 3000; i++) {
                Files.writeString(Path.of("/job/outputs/late.txt"), "written after the notebook ended " + i);
                for (String f : new String[] {"manifest.json", "token.jwt"}) {
                  Path p = Path.of("/job", f);
                  if (Files.exists(p) && !Files.readString(p).startsWith("forged")) Files.writeString(p, "forged");
                }
                Thread.sleep(10);
              }
            }
          }
          \""");
      new ProcessBuilder("/opt/java/bin/java", "-Xshare:auto", source.toString()).redirectErrorStream(true)
          .redirectOutput(Path.of("/tmp/late.log").toFile()).start();
      Thread.sleep(5000); // the child JVM compiles Late.java and is waiting when the notebook ends
      """;

  @BeforeAll
  static void aNotebookTriesToGetOut() throws Exception {
    assumeTrue(LocalRuns.runc(), "runc isolation needs root with runc and umoci (./dcr test installs them as root)");
    hostService = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    hostSecret = Files.writeString(host.resolve("secret.txt"), "the host's own file");
    String tryTo = """
        var attempts = new LinkedHashMap<String, String>();
        void attempt(String name, java.util.concurrent.Callable<Object> action) {
          try {
            attempts.put(name, "allowed: " + action.call());
          } catch (Throwable e) {
            attempts.put(name, "refused: " + e.getClass().getSimpleName());
          }
        }
        """;
    String network = """
        attempt("connect to the internet", () -> { try (var s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress("1.1.1.1", 443), 3000); return "connected"; } });
        attempt("resolve a name", () -> java.net.InetAddress.getByName("example.com"));
        attempt("connect to a host service on loopback", () -> { try (var s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress("127.0.0.1", %d), 3000); return "connected"; } });
        """.formatted(hostService.getLocalPort());
    String writes = """
        attempt("write into the image", () -> Files.writeString(Path.of("/app/%1$s"), "x"));
        attempt("write into /etc", () -> Files.writeString(Path.of("/etc/%1$s"), "x"));
        attempt("write beside the job folder", () -> Files.writeString(Path.of("/job/../%1$s"), "x"));
        attempt("write an output named ../", () -> Dcr.output("../%1$s").write("x"));
        attempt("write scratch in /tmp", () -> Files.writeString(Path.of("/tmp/%1$s"), "x"));
        """.formatted(MARKER);
    String reads = """
        attempt("read a host file", () -> Files.readString(Path.of("%s")));
        attempt("read the host's passwords", () -> Files.readString(Path.of("/etc/shadow")));
        attempt("list the root", () -> String.join(" ", new java.io.File("/").list()));
        """.formatted(hostSecret);
    String data = """
        attempt("read the real data", () -> Dcr.dataset("insurance").table().rowCount());
        attempt("overwrite the real data", () -> Files.writeString(Path.of("/input/insurance/real.csv"), "tampered"));
        attempt("delete the real data", () -> { Files.delete(Path.of("/input/insurance/real.csv")); return "deleted"; });
        attempt("add an input", () -> Files.writeString(Path.of("/input/insurance/more.csv"), "x"));
        """;
    // The launcher's side of the container: its token socket, its process (pid 1) and its files.
    String launcher = """
        attempt("connect to the token socket", () -> { try (var c = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of("/run/container_launcher/teeserver.sock"))) { return "connected"; } });
        attempt("list the token socket's folder", () -> String.join(" ", new java.io.File("/run/container_launcher").list()));
        attempt("read the launcher's environment", () -> Files.readString(Path.of("/proc/1/environ")).length());
        attempt("list the launcher's open files", () -> { try (var s = Files.list(Path.of("/proc/1/fd"))) { return s.count(); } });
        attempt("read the launcher's memory map", () -> Files.readString(Path.of("/proc/1/maps")).length());
        for (String field : List.of("Uid", "CapEff", "NoNewPrivs", "Seccomp")) {
          attempt("own " + field, () -> Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(field + ":")).findFirst().orElse(""));
        }
        """;
    String report = """
        var text = new StringBuilder();
        attempts.forEach((k, v) -> text.append(k).append(" = ").append(v).append("\\n"));
        Dcr.output("attempts.txt").write(text.toString());
        """;
    Thread hostUser = Thread.ofPlatform().start(() -> hostUserMint = HostUser.mintWhileARunIsOn());
    jobFolder = dir.resolve("out");
    try {
      result = LocalRuns.run(dir, work, TestNotebooks.of(tryTo, network, writes, reads, data, launcher, report, LATE_CHILD),
          LocalRun.JobSettings.defaults(), SimulatedWorkload.Isolation.RUNC);
    } catch (Exception e) {
      runFailure = e;
    }
    hostUser.join();
    attempts = new LinkedHashMap<>();
    for (String line : Files.readAllLines(jobFolder.resolve("outputs/attempts.txt"))) {
      String[] pair = line.split(" = ", 2);
      attempts.put(pair[0], pair[1]);
    }
  }

  @AfterAll
  static void stopHostService() throws Exception {
    if (hostService != null) {
      hostService.close();
    }
  }

  @Test
  void theNotebookRanAndItsReportVerifies() throws Exception {
    assertNull(runFailure);
    assertEquals(JobOutcome.succeeded(), LocalRuns.manifest(result.jobFolder()).outcome());
    assertTrue(result.verification().passed(), result.verification().failures().toString());
  }

  @Test
  void theNotebookCannotReachTheTokenSocket() {
    assertTrue(attempts.get("connect to the token socket").startsWith("refused: "), attempts.toString());
    assertTrue(attempts.get("list the token socket's folder").startsWith("refused: "), attempts.toString());
  }

  @Test
  void theNotebookCannotReadTheLaunchersProcess() {
    for (String attempt : List.of("read the launcher's environment", "list the launcher's open files", "read the launcher's memory map")) {
      assertTrue(attempts.get(attempt).startsWith("refused: "), attempt + ": " + attempts.get(attempt));
    }
  }

  @Test
  void theNotebookRunsAsNobody_withoutCapabilities_underTheAttestedSeccompProfile() throws Exception {
    assertEquals("allowed: Uid:\t65534\t65534\t65534\t65534", attempts.get("own Uid"));
    assertEquals("allowed: CapEff:\t0000000000000000", attempts.get("own CapEff"));
    assertEquals("allowed: NoNewPrivs:\t1", attempts.get("own NoNewPrivs"));
    assertEquals("allowed: Seccomp:\t2", attempts.get("own Seccomp"), "a seccomp filter is on");
    Map<String, Object> container = SignedJWT.parse(Files.readString(jobFolder.resolve("token.jwt"))).getJWTClaimsSet()
        .getJSONObjectClaim("submods");
    @SuppressWarnings("unchecked")
    Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) container.get("container")).get("env");
    assertEquals(RuncRunner.describe(LaunchPolicy.Sandbox.standard()), env.get(RuncRunner.SANDBOX_VARIABLE),
        "the token attests the seccomp profile's sha256 and the limits");
  }

  @Test
  void aProcessTheNotebookLeftBehind_isEndedBeforeTheOutputsAreHashed() throws Exception {
    assertFalse(Files.readString(jobFolder.resolve("manifest.json")).startsWith("forged"), "the manifest is the launcher's");
    assertFalse(Files.readString(jobFolder.resolve("token.jwt")).startsWith("forged"), "the token is the launcher's");
    assertFalse(Files.exists(jobFolder.resolve("outputs/late.txt")), "the late write is not in the job folder");
    assertFalse(LocalRuns.manifest(jobFolder).outputs().containsKey("outputs/late.txt"));
  }

  @Test
  void anotherHostUser_cannotMintASimulatorToken() {
    assertTrue(hostUserMint.startsWith("refused: "), hostUserMint);
  }

  @Test
  void theNotebookCannotReachTheNetwork() {
    assertTrue(attempts.get("connect to the internet").startsWith("refused: "), attempts.toString());
    assertTrue(attempts.get("resolve a name").startsWith("refused: "), attempts.toString());
    assertTrue(attempts.get("connect to a host service on loopback").startsWith("refused: "), attempts.toString());
  }

  @Test
  void theNotebookCannotWriteOutsideItsJobFolder() {
    for (String attempt : List.of("write into the image", "write into /etc", "write beside the job folder", "write an output named ../")) {
      assertTrue(attempts.get(attempt).startsWith("refused: "), attempt + ": " + attempts.get(attempt));
    }
    assertEquals(List.of("data", "notebook.ipynb", "out"), LocalRuns.entries(dir), "nothing appeared beside the job folder");
    assertFalse(Files.exists(Path.of("/tmp", MARKER)), "the container's /tmp is its own");
    assertFalse(Files.exists(Path.of("/", MARKER)));
  }

  @Test
  void scratchSpaceIsTheContainersOwn() {
    assertTrue(attempts.get("write scratch in /tmp").startsWith("allowed"), attempts.get("write scratch in /tmp"));
  }

  @Test
  void theNotebookCannotReadTheHostsFiles() {
    assertEquals("refused: NoSuchFileException", attempts.get("read a host file"));
    assertTrue(attempts.get("read the host's passwords").startsWith("refused: "), attempts.toString());
    List<String> root = List.of(attempts.get("list the root").substring("allowed: ".length()).split(" "));
    assertEquals(List.of("app", "dev", "etc", "input", "job", "lib", "lib64", "opt", "proc", "run", "sys", "tmp", "usr"),
        root.stream().sorted().toList(), "the container's root is the image's");
  }

  @Test
  void theNotebookReadsTheRealDataButCannotChangeIt() throws Exception {
    assertEquals("allowed: 1338", attempts.get("read the real data"));
    for (String attempt : List.of("overwrite the real data", "delete the real data", "add an input")) {
      assertTrue(attempts.get(attempt).startsWith("refused: "), attempt + ": " + attempts.get(attempt));
    }
    assertEquals(Sha256.of(LocalRuns.INSURANCE.resolve("real.csv")), Sha256.of(dir.resolve("data/real.csv")));
    // The manifest names the rows by the commitment the run's trust file publishes, never by their bare sha256.
    assertEquals(result.trust().inputs().get("insurance/real.csv"),
        LocalRuns.manifest(jobFolder).inputs().get("insurance/real.csv"));
  }
}
