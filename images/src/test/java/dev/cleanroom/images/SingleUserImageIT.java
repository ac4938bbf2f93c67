package dev.cleanroom.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonParser;
import dev.cleanroom.tee.TestRegistry;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.image.OciLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-user image: JupyterLab, jupyterhub-singleuser and the dcr-java kernel on CPython from pinned Debian
 * packages. Its Python environment is installed in a chroot, so these tests need root.
 */
class SingleUserImageIT {
  @TempDir Path dir;

  @Test
  void build_fromAnEmptyCache_givesTheDigestOfTheCachedBuild_andPushesUnderIt() throws Exception {
    assumeTrue(Command.isRoot(), "the single-user image's Python environment is installed in a chroot (root only)");
    PublishedImage cached = ServiceImagesIT.images().build(DeploymentImage.SINGLE_USER, dir.resolve("cached"), "latest");
    // A second cache with only the downloads shared: the JRE is linked, the Debian packages unpacked and every wheel
    // installed again, which is what another machine does.
    Path fresh = Files.createDirectories(dir.resolve("cache"));
    Path shared = ImageBuilder.defaultCache();
    Files.createDirectories(fresh.resolve("tee-image"));
    Files.createDirectories(fresh.resolve("images"));
    Files.createSymbolicLink(fresh.resolve("tee-image/debs"), shared.resolve("tee-image/debs"));
    Files.createSymbolicLink(fresh.resolve("images/wheels"), shared.resolve("images/wheels"));
    DeploymentImages anew = DeploymentImages.builder().checkout(ServiceImagesIT.CHECKOUT).cacheDir(fresh)
        .progress(line -> System.err.println("images: " + line)).build();
    PublishedImage rebuilt = anew.build(DeploymentImage.SINGLE_USER, dir.resolve("rebuilt"), "latest");
    assertEquals(cached.digest(), rebuilt.digest(), "the Python environment and the base are reproducible");
    try (TestRegistry registry = TestRegistry.start(dir)) {
      PublishedImage pushed = anew.push(DeploymentImage.SINGLE_USER, registry.address(), "test");
      assertEquals(cached.digest(), pushed.digest());
      assertEquals(200, registry.manifest(DeploymentImage.SINGLE_USER.repository(), "test").statusCode());
    }
  }

  @Test
  void build_startsJupyterhubSingleuserWithTheImagesPython_andOffersTheJavaKernel() throws Exception {
    assumeTrue(Command.isRoot(), "the single-user image's Python environment is installed in a chroot (root only)");
    PublishedImage image = ServiceImagesIT.images().build(DeploymentImage.SINGLE_USER, dir, "latest");
    OciLayout layout = OciLayout.read(image.layout().orElseThrow());
    assertEquals(List.of("/opt/jupyter/bin/jupyterhub-singleuser"), layout.entrypoint());
    assertEquals("65534:65534", layout.user());
    assertTrue(layout.environment().get("PATH").startsWith("/opt/jupyter/bin:"));

    Map<String, byte[]> files = ImageFiles.contents(layout.dir(), Set.of("opt/jupyter/bin/jupyterhub-singleuser",
        "opt/jupyter/bin/jupyter-lab", "opt/jupyter/share/jupyter/kernels/dcr-java/kernel.json", "opt/jupyter/pyvenv.cfg")::contains);
    assertTrue(text(files, "opt/jupyter/bin/jupyterhub-singleuser").startsWith("#!/opt/jupyter/bin/python3\n"));
    assertTrue(text(files, "opt/jupyter/bin/jupyter-lab").startsWith("#!/opt/jupyter/bin/python3\n"));
    assertTrue(text(files, "opt/jupyter/pyvenv.cfg").contains("home = /usr/bin\n"));

    var kernel = JsonParser.parseString(text(files, "opt/jupyter/share/jupyter/kernels/dcr-java/kernel.json")).getAsJsonObject();
    var argv = kernel.getAsJsonArray("argv");
    assertEquals("/opt/java/bin/java", argv.get(0).getAsString());
    assertEquals("Java (clean room)", kernel.get("display_name").getAsString());
    String classpath = "";
    for (int i = 0; i < argv.size() - 1; i++) {
      if (argv.get(i).getAsString().equals("-cp")) {
        classpath = argv.get(i + 1).getAsString();
      }
    }
    var entries = ImageFiles.entries(layout.dir());
    assertTrue(classpath.startsWith("/opt/jupyter/share/jupyter/kernels/dcr-java/lib/kernel-"), classpath);
    for (String jar : classpath.split(":")) {
      assertTrue(entries.containsKey(jar.substring(1)), "the kernel's class path names a jar the image lacks: " + jar);
    }
    assertTrue(entries.containsKey("usr/bin/python3.11"));
    assertTrue(entries.containsKey("opt/java/bin/java"));
    assertTrue(entries.keySet().stream().noneMatch(p -> p.endsWith(".pyc") || p.contains("__pycache__")),
        "byte code would tie the image to the build's clock");
    assertTrue(entries.keySet().stream().noneMatch(p -> p.contains("direct_url.json")),
        "pip names the build's wheel folder only for direct references");
  }

  @Test
  void build_underRunc_jupyterListsTheJavaKernel() throws Exception {
    assumeTrue(Command.isRoot(), "the single-user image's Python environment is installed in a chroot (root only)");
    PublishedImage image = ServiceImagesIT.images().build(DeploymentImage.SINGLE_USER, dir.resolve("layouts"), "latest");
    var result = Runc.run(image.layout().orElseThrow(), dir, List.of("/opt/jupyter/bin/jupyter", "kernelspec", "list"));
    assertEquals(0, result.status(), result.output());
    assertTrue(result.output().contains("dcr-java") && result.output().contains("/opt/jupyter/share/jupyter/kernels/dcr-java"),
        result.output());
  }

  private static String text(Map<String, byte[]> files, String path) {
    assertTrue(files.containsKey(path), "the image lacks /" + path);
    return new String(files.get(path), StandardCharsets.UTF_8);
  }
}
