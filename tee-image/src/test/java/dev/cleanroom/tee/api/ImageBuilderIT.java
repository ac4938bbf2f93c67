package dev.cleanroom.tee.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.tee.LocalRuns;
import dev.cleanroom.tee.TestNotebooks;
import dev.cleanroom.tee.TestRegistry;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.image.OciLayout;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image build: reproducible across processes, sensitive to every byte of the notebook, pushable. */
class ImageBuilderIT {
  private static final byte[] NOTEBOOK = TestNotebooks.of("var t = Dcr.dataset(\"insurance\").table();", "t.rowCount()");

  @TempDir Path dir;

  /** The inputs the test's images are approved for: one dataset's, with made-up commitments. */
  private static final ApprovedInputs APPROVED = ApprovedInputs.parseList(
      "insurance/real.csv=" + "1a".repeat(32) + ",insurance/policy.yaml=" + "2b".repeat(32)
      + ",insurance/commitment.key=" + "3c".repeat(32), "the test's inputs");

  /** Builds in a fresh JVM with `dcr image build`'s entry point; returns the digest it prints. */
  private static String buildInAnotherJvm(Path notebook, Path layout) throws IOException {
    String classpath = Path.of("target/classes").toAbsolutePath() + ":" + Files.readString(Path.of("target/classpath.txt")).strip();
    Command.Result result = Command.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--sun-misc-unsafe-memory-access=allow", "-cp", classpath, "dev.cleanroom.tee.cli.ImageCommand",
        "build", notebook.toString(), "--inputs", APPROVED.toList(), "--out", layout.toString()).timeout(Duration.ofMinutes(5)).run();
    assertEquals(0, result.status(), result.output());
    return result.tail(1).strip();
  }

  @Test
  void build_inTwoProcesses_givesTheSameDigestAndTheSameBytes() throws Exception {
    Path notebook = Files.write(dir.resolve("notebook.ipynb"), NOTEBOOK);
    String first = buildInAnotherJvm(notebook, dir.resolve("first"));
    String second = buildInAnotherJvm(notebook, dir.resolve("second"));
    assertTrue(first.matches("sha256:[0-9a-f]{64}"), first);
    assertEquals(first, second);
    assertEquals(first, LocalRuns.builder().digest(notebook, APPROVED), "and in this process");
    assertEquals(files(dir.resolve("first")), files(dir.resolve("second")));
    for (String file : files(dir.resolve("first"))) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("first").resolve(file)), Files.readAllBytes(dir.resolve("second").resolve(file)), file);
    }
  }

  @Test
  void build_oneByteMoreInTheNotebook_givesAnotherDigest() throws Exception {
    Path notebook = Files.write(dir.resolve("notebook.ipynb"), NOTEBOOK);
    byte[] changed = new String(NOTEBOOK, java.nio.charset.StandardCharsets.UTF_8).replace("rowCount()", "rowCount() ")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(NOTEBOOK.length + 1, changed.length);
    Path other = Files.write(dir.resolve("other.ipynb"), changed);
    assertNotEquals(LocalRuns.builder().digest(notebook, APPROVED), LocalRuns.builder().digest(other, APPROVED));
  }

  /**
   * #14: the image names the data its notebook may read. The same notebook approved for dataset A and for dataset B (or
   * for A with other rows) is two images, so a grant to one digest is a grant on one dataset.
   */
  @Test
  void build_theSameNotebookApprovedForOtherInputs_givesAnotherDigest() throws Exception {
    Path notebook = Files.write(dir.resolve("notebook.ipynb"), NOTEBOOK);
    ApprovedInputs otherDataset = ApprovedInputs.parseList("other/real.csv=" + "1a".repeat(32) + ",other/policy.yaml="
        + "2b".repeat(32) + ",other/commitment.key=" + "3c".repeat(32), "the other dataset's inputs");
    TreeMap<String, Sha256> changedRows = new TreeMap<>(APPROVED.commitments());
    changedRows.put("insurance/real.csv", new Sha256("4d".repeat(32)));
    Set<String> digests = new HashSet<>();
    for (ApprovedInputs inputs : List.of(APPROVED, otherDataset, ApprovedInputs.of(changedRows), ApprovedInputs.none())) {
      digests.add(LocalRuns.builder().digest(notebook, inputs));
    }
    assertEquals(4, digests.size(), digests.toString());
  }

  @Test
  void build_theImage_runsTheLauncherAsNobodyUnderTheLaunchPolicy() throws Exception {
    Path notebook = Files.write(dir.resolve("notebook.ipynb"), NOTEBOOK);
    BuiltImage image = LocalRuns.builder().build(notebook, APPROVED, dir.resolve("image"));
    OciLayout layout = OciLayout.read(image.layout().orElseThrow());
    assertEquals(image.digest(), layout.digest());
    assertEquals(List.of(ImageLayout.JAVA, "@" + ImageLayout.JVM_ARGS, ImageLayout.LAUNCHER_MAIN), layout.entrypoint());
    assertEquals("0:0", layout.user(), "the launcher is root in the image; it runs the notebook as nobody");
    assertEquals(LaunchPolicy.production().labels().get(LaunchPolicy.ALLOW_ENV_OVERRIDE), layout.labels().get(LaunchPolicy.ALLOW_ENV_OVERRIDE));
    assertEquals("debugonly", layout.labels().get(LaunchPolicy.LOG_REDIRECT));
    assertEquals(Sha256.of(notebook).hex(), layout.labels().get(ImageBuilder.NOTEBOOK_LABEL));
    assertEquals(Sha256.of(notebook).hex(), image.notebookSha256());
  }

  @Test
  void build_fromExportedAssetsInAnotherFolder_withNoJdkAndAnEmptyCache_givesTheSameDigest() throws Exception {
    Path notebook = Files.write(dir.resolve("notebook.ipynb"), NOTEBOOK);
    ImageBuilder local = ImageBuilder.builder().withoutPrebuiltAssets().build();
    local.exportAssets(dir.resolve("exported"));
    // Moved elsewhere, as the bridge's image carries them; no JDK to link from, no Debian packages in the cache.
    Path assets = Files.move(dir.resolve("exported"), Files.createDirectories(dir.resolve("opt/cleanroom")).resolve("tee"));
    ImageBuilder prebuilt = ImageBuilder.builder().prebuiltAssets(assets).javaHome(dir.resolve("no-jdk"))
        .cacheDir(dir.resolve("empty-cache")).build();
    BuiltImage expected = local.build(notebook, APPROVED, dir.resolve("local"));
    BuiltImage actual = prebuilt.build(notebook, APPROVED, dir.resolve("prebuilt"));
    assertEquals(expected.digest(), actual.digest());
    assertEquals(expected.labels(), actual.labels());
    assertTrue(Files.notExists(dir.resolve("empty-cache/tee-image/base")), "no base runtime was assembled");
  }

  @Test
  void build_intoAnExistingFolder_isRefused() throws Exception {
    Path notebook = Files.write(dir.resolve("notebook.ipynb"), NOTEBOOK);
    Files.createDirectories(dir.resolve("image"));
    ImageBuildException e = org.junit.jupiter.api.Assertions.assertThrows(ImageBuildException.class,
        () -> LocalRuns.builder().build(notebook, APPROVED, dir.resolve("image")));
    assertEquals("build_failed", e.code());
    assertTrue(e.getMessage().startsWith("Tried to write the image to"), e.getMessage());
  }

  @Test
  void push_toARegistryOnLoopback_storesTheImageUnderTheSameDigest() throws Exception {
    try (TestRegistry registry = TestRegistry.start(dir)) {
      Path notebook = Files.write(dir.resolve("notebook.ipynb"), NOTEBOOK);
      BuiltImage pushed = LocalRuns.builder().push(notebook, APPROVED, registry.address() + "/cleanroom/notebook:test");
      assertEquals(LocalRuns.builder().digest(notebook, APPROVED), pushed.digest(), "the registry holds the image the layout holds");
      HttpResponse<byte[]> manifest = registry.manifest("cleanroom/notebook", "test");
      assertEquals(200, manifest.statusCode());
      assertEquals(pushed.digest(), Sha256.of(manifest.body()).ociDigest());
      assertEquals(pushed.digest(), manifest.headers().firstValue("Docker-Content-Digest").orElse(""));
    }
  }

  private static List<String> files(Path root) throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().forEach(files::add);
    }
    return files;
  }
}
