package dev.cleanroom.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.tee.TestRegistry;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.image.OciLayout;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge and DP service images: reproducible across processes, pushable under the same digest, no shell. */
class ServiceImagesIT {
  static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> SHELLS = List.of("bin/sh", "usr/bin/sh", "bin/bash", "usr/bin/bash", "bin/dash",
      "usr/bin/dash", "bin/busybox", "usr/bin/busybox");

  @TempDir Path dir;

  static DeploymentImages images() {
    return DeploymentImages.builder().checkout(CHECKOUT).progress(line -> System.err.println("images: " + line)).build();
  }

  /** Runs {@code dcr images}' entry point in a fresh JVM; returns its stdout lines. */
  static List<String> imagesCommand(String... args) throws Exception {
    String classpath = Path.of("target/classes").toAbsolutePath() + ":" + Files.readString(Path.of("target/classpath.txt")).strip();
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, ImagesCommand.class.getName(), "--checkout", CHECKOUT.toString()));
    argv.addAll(List.of(args));
    Path stdout = Files.createTempFile("images", ".out");
    try {
      Process process = new ProcessBuilder(argv).redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      assertTrue(process.waitFor(Duration.ofMinutes(10).toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "dcr images timed out");
      assertEquals(0, process.exitValue(), "dcr images " + String.join(" ", args));
      return Files.readAllLines(stdout);
    } finally {
      Files.deleteIfExists(stdout);
    }
  }

  @Test
  void build_inTwoProcesses_givesTheSameDigestsAndTheSameBytes() throws Exception {
    // A relative --out, as people type it.
    Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("first"));
    List<String> printed = imagesCommand("--only", "cleanroom-bridge,cleanroom-dp-service", "--out", "./" + relative);
    PublishedImage bridge = images().build(DeploymentImage.BRIDGE, dir.resolve("second"), "latest");
    PublishedImage dp = images().build(DeploymentImage.DP_SERVICE, dir.resolve("second"), "latest");
    assertTrue(bridge.digest().matches("sha256:[0-9a-f]{64}"), bridge.digest());
    assertEquals(List.of("cleanroom-bridge " + bridge.digest(), "cleanroom-dp-service " + dp.digest()), printed);
    List<String> files = files(dir.resolve("first"));
    assertEquals(files, files(dir.resolve("second")));
    for (String file : files) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("first").resolve(file)), Files.readAllBytes(dir.resolve("second").resolve(file)), file);
    }
  }

  @Test
  void bridge_runsBridgeMainOnTheModulesClassPathAsNobody_withoutAShell() throws Exception {
    PublishedImage bridge = images().build(DeploymentImage.BRIDGE, dir, "latest");
    OciLayout layout = OciLayout.read(bridge.layout().orElseThrow());
    assertEquals(bridge.digest(), layout.digest());
    assertEquals(List.of("/opt/java/bin/java", "@/app/jvm.args", "dev.cleanroom.bridge.BridgeMain"), layout.entrypoint());
    assertEquals("65534:65534", layout.user());
    assertEquals("cleanroom-bridge:latest", layout.reference());
    JsonNode config = ImageFiles.config(layout.dir());
    assertTrue(config.path("config").path("Cmd").isMissingNode() || config.path("config").path("Cmd").isNull(),
        "no default arguments: a deployment names its database, storage and TEE");
    assertTrue(config.path("config").path("ExposedPorts").has("8480/tcp"));

    var entries = ImageFiles.entries(layout.dir());
    for (String shell : SHELLS) {
      assertTrue(!entries.containsKey(shell), "the image holds a shell: " + shell);
    }
    assertTrue(entries.containsKey("opt/java/bin/java"));
    Map<String, byte[]> jvmArgs = ImageFiles.contents(layout.dir(), "app/jvm.args"::equals);
    String classpath = new String(jvmArgs.get("app/jvm.args"), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
    List<String> expected = JavaApplication.built(CHECKOUT.resolve("job-bridge"), "dev.cleanroom.bridge.BridgeMain")
        .classpath().stream().map(p -> "/app/lib/" + p.getFileName()).toList();
    assertEquals("-cp " + String.join(":", expected), classpath);
    for (String jar : expected) {
      assertTrue(entries.containsKey(jar.substring(1)), "the class path names a jar the image lacks: " + jar);
    }
  }

  @Test
  void bridge_underRunc_buildsANotebookImageFromItsTeeImageAssets_withTheDigestOfALocalBuild() throws Exception {
    PublishedImage bridge = images().build(DeploymentImage.BRIDGE, dir.resolve("layouts"), "latest");
    Path layout = bridge.layout().orElseThrow();
    var entries = ImageFiles.entries(layout);
    assertTrue(entries.containsKey("opt/cleanroom/tee/base-runtime/opt/java/bin/java"));
    assertTrue(entries.containsKey("opt/cleanroom/tee/base-runtime/lib/x86_64-linux-gnu/libc.so.6"));
    assertTrue(entries.containsKey("opt/cleanroom/tee/base-runtime.key"));
    assertTrue(entries.containsKey("opt/cleanroom/tee/launcher/classpath.txt"));
    assertTrue(entries.keySet().stream().anyMatch(p -> p.matches("opt/cleanroom/tee/launcher/lib/tee-image-.*\\.jar")));
    List<String> environment = new ArrayList<>();
    ImageFiles.config(layout).path("config").path("Env").forEach(v -> environment.add(v.asText()));
    assertTrue(environment.contains("DCR_TEE_IMAGE_ASSETS=/opt/cleanroom/tee"), environment.toString());

    Path notebook = CHECKOUT.resolve("notebooks").resolve("insurance-explore.ipynb");
    String local = ImageBuilder.builder().withoutPrebuiltAssets()
        .launcherBundle(CHECKOUT.resolve(DeploymentImages.LAUNCHER_BUNDLE)).build().digest(notebook, ApprovedInputs.none());
    // dcr image build inside the bridge's container, on its own class path: no JDK, no network, only the assets.
    var result = Runc.run(layout, dir, List.of("/opt/java/bin/java", "@/app/jvm.args", "dev.cleanroom.tee.cli.ImageCommand",
        "build", "/tmp/notebook.ipynb", "--out", "/tmp/image"), Map.of("tmp/notebook.ipynb", notebook));
    assertEquals(0, result.status(), result.output());
    // The digest is the command's one line on stdout; runc copies the container's stdout and stderr separately,
    // so its place among the progress lines varies.
    List<String> digests = result.output().lines().filter(line -> line.matches("sha256:[0-9a-f]{64}")).toList();
    System.err.println("images: notebook image built locally " + local + ", in the bridge's container " + digests);
    assertEquals(List.of(local), digests, result.output());
  }

  @Test
  void dpService_holdsTheCLibraryItsOpenDpLibraryNeeds() throws Exception {
    PublishedImage dp = images().build(DeploymentImage.DP_SERVICE, dir, "latest");
    OciLayout layout = OciLayout.read(dp.layout().orElseThrow());
    assertEquals(List.of("/opt/java/bin/java", "@/app/jvm.args", "dev.cleanroom.dp.service.DpQueryServiceMain"), layout.entrypoint());
    assertEquals("65534:65534", layout.user());
    var entries = ImageFiles.entries(layout.dir());
    assertTrue(entries.containsKey("lib/x86_64-linux-gnu/libc.so.6"), "glibc, which libdcr_opendp.so links against");
    assertTrue(entries.containsKey("lib/x86_64-linux-gnu/libgcc_s.so.1"), "the Rust runtime's unwinder");
    assertTrue(entries.keySet().stream().anyMatch(p -> p.matches("app/lib/dp-engine-.*\\.jar")));
    assertTrue(entries.keySet().stream().noneMatch(p -> p.startsWith("opt/cleanroom/")), "only the bridge builds stage-2 images");
  }

  @Test
  void bridge_underRunc_startsBridgeMainAsNobody_whichAsksForItsSettings() throws Exception {
    PublishedImage bridge = images().build(DeploymentImage.BRIDGE, dir.resolve("layouts"), "latest");
    // The image's own entry point with no arguments: the JVM, the class path and the main class all work, as nobody.
    var result = Runc.run(bridge.layout().orElseThrow(), dir, List.of());
    assertEquals(2, result.status(), result.output());
    assertTrue(result.output().contains("--database, --work, --storage, --tee and at least one --dataset are required"),
        result.output());
  }

  @Test
  void push_toARegistryOnLoopback_storesTheDigestBuiltLocally() throws Exception {
    try (TestRegistry registry = TestRegistry.start(dir)) {
      for (DeploymentImage image : List.of(DeploymentImage.BRIDGE, DeploymentImage.DP_SERVICE)) {
        String local = images().build(image, dir.resolve("layouts"), "test").digest();
        PublishedImage pushed = images().push(image, registry.address(), "test");
        assertEquals(local, pushed.digest(), image + ": the registry holds the image the layout holds");
        assertEquals(registry.address() + "/" + image.repository() + ":test", pushed.reference());
        HttpResponse<byte[]> manifest = registry.manifest(image.repository(), "test");
        assertEquals(200, manifest.statusCode());
        assertEquals(local, Sha256.of(manifest.body()).ociDigest());
        assertEquals(local, manifest.headers().firstValue("Docker-Content-Digest").orElse(""));
      }
    }
  }

  @Test
  void push_plainHttpOffLoopback_isRefusedWithTheReason() throws Exception {
    var other = java.net.NetworkInterface.networkInterfaces().flatMap(java.net.NetworkInterface::inetAddresses)
        .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst();
    org.junit.jupiter.api.Assumptions.assumeTrue(other.isPresent(), "this machine has no address but loopback");
    String address = other.get().getHostAddress();
    // Found out before Jib is asked: Jib would retry the failed TLS handshake for about 50 s.
    try (TestRegistry registry = TestRegistry.start(dir, address)) {
      ImagesException e = org.junit.jupiter.api.Assertions.assertThrows(ImagesException.class,
          () -> images().push(DeploymentImage.DP_SERVICE, registry.address(), "test"));
      assertEquals("insecure_registry", e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("plain HTTP is allowed only for a registry on loopback"), e.getMessage());
      assertEquals(404, registry.manifest(DeploymentImage.DP_SERVICE.repository(), "test").statusCode(), "nothing was pushed");
    }
  }

  private static List<String> files(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }
}
