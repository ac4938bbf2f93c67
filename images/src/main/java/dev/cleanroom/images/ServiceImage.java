package dev.cleanroom.images;

import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.base.BaseRuntimeRecipe;
import dev.cleanroom.tee.image.ImageAssembler;
import dev.cleanroom.tee.image.LauncherBundle;
import dev.cleanroom.tee.image.PrebuiltAssets;
import dev.cleanroom.tee.image.Staging;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts a Java service's image together for Jib, from scratch: the pinned base runtime (the stage-2 images' own
 * layer: JRE and C library, no shell), a layer of released libraries, and a layer of our own jars (the
 * {@code -SNAPSHOT} ones, which change with every commit) plus the JVM options file. The entry point is
 * {@code java @/app/jvm.args MAIN}; the service's own options are the container's arguments. The bridge's image
 * also carries the stage-2 image's base runtime and launcher bundle, prebuilt, so that it can build notebook images
 * with no JDK and no network ({@link #withTeeImageAssets}).
 *
 * <p>Invariant: as for the stage-2 image, the image is a function of the files' bytes and this class: entries
 * sorted, times fixed, owner root, modes 0644/0755, run as nobody.
 */
final class ServiceImage {
  static final String APP_LIB = ImageLayout.APP + "/lib";
  static final String JVM_ARGS = ImageLayout.APP + "/jvm.args";
  /** Where the bridge's image holds the stage-2 image's prebuilt assets; {@code $DCR_TEE_IMAGE_ASSETS} names it. */
  static final String TEE_IMAGE_ASSETS = "/opt/cleanroom/tee";
  /**
   * The services' JVM options: native access for the OpenDP library (dp-engine, also on the bridge's class path),
   * Netty's use of sun.misc.Unsafe (Vert.x), and a heap that follows the container's memory limit.
   */
  static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow", "-XX:MaxRAMPercentage=75", "-Djava.awt.headless=true",
      "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8");

  private static final FilePermissions READ_ONLY = FilePermissions.fromOctalString("644");

  private ServiceImage() {}

  /** The image of {@code app} on {@code baseRootfs}, listening on {@code port}. */
  static JibContainerBuilder container(Path baseRootfs, JavaApplication app, int port, Staging staging,
      Map<String, String> labels) throws IOException {
    Path jvmArgs = staging.stage(jvmArgs(app).getBytes(StandardCharsets.UTF_8), "jvm.args");
    FileEntriesLayer.Builder libraries = FileEntriesLayer.builder().setName("libraries");
    FileEntriesLayer.Builder application = FileEntriesLayer.builder().setName("application");
    for (Path jar : app.classpath().stream().sorted((a, b) -> a.getFileName().compareTo(b.getFileName())).toList()) {
      (isOurs(jar) ? application : libraries).addEntry(entry(jar, APP_LIB + "/" + jar.getFileName()));
    }
    application.addEntry(entry(jvmArgs, JVM_ARGS));
    return Jib.fromScratch()
        .setFormat(ImageFormat.OCI)
        .setCreationTime(Instant.EPOCH)
        .setFileEntriesLayers(ImageAssembler.rootfsLayer("base runtime", baseRootfs), libraries.build(), application.build())
        .setEntrypoint(List.of(ImageLayout.JAVA, "@" + JVM_ARGS, app.mainClass()))
        .setEnvironment(environment())
        .setExposedPorts(Set.of(Port.tcp(port)))
        .setUser(ImageLayout.UID + ":" + ImageLayout.GID)
        .setWorkingDirectory(AbsoluteUnixPath.get(ImageLayout.TMP))
        .setLabels(labels);
  }

  /**
   * Adds the stage-2 image's base runtime ({@code baseRootfs}, assembled from {@code recipe}) and launcher bundle at
   * {@link #TEE_IMAGE_ASSETS}, and points {@code $DCR_TEE_IMAGE_ASSETS} there: the bridge's ImageBuilder then builds
   * the very images a developer or an auditor builds from the pinned JDK.
   */
  static JibContainerBuilder withTeeImageAssets(JibContainerBuilder container, Path baseRootfs, BaseRuntimeRecipe recipe,
      LauncherBundle bundle, Staging staging) throws IOException {
    Path keyFile = staging.stage(PrebuiltAssets.keyFile(recipe), PrebuiltAssets.BASE_RUNTIME_KEY);
    for (FileEntriesLayer layer : PrebuiltAssets.layers(baseRootfs, keyFile, bundle, TEE_IMAGE_ASSETS)) {
      container.addFileEntriesLayer(layer);
    }
    return container.addEnvironmentVariable(ImageBuilder.ASSETS_VARIABLE, TEE_IMAGE_ASSETS);
  }

  /** The environment of the Java images: the JRE, no home but the scratch folder, UTF-8 and UTC. */
  static Map<String, String> environment() {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("PATH", ImageLayout.JAVA_HOME + "/bin:/usr/bin:/bin");
    environment.put("JAVA_HOME", ImageLayout.JAVA_HOME);
    environment.put("HOME", ImageLayout.TMP); // fontconfig and the JNI loader write under $HOME or /tmp
    environment.put("LANG", "C.UTF-8");
    environment.put("TZ", "UTC");
    return environment;
  }

  /** The class path in the module's order, then {@link #JVM_OPTIONS}, one per line. */
  static String jvmArgs(JavaApplication app) {
    StringBuilder text = new StringBuilder("-cp ");
    text.append(String.join(":", app.classpath().stream().map(j -> APP_LIB + "/" + j.getFileName()).toList())).append('\n');
    JVM_OPTIONS.forEach(option -> text.append(option).append('\n'));
    return text.toString();
  }

  private static boolean isOurs(Path jar) {
    return jar.getFileName().toString().endsWith("-SNAPSHOT.jar");
  }

  private static FileEntry entry(Path source, String pathInImage) {
    return new FileEntry(source, AbsoluteUnixPath.get(pathInImage), READ_ONLY, FileEntriesLayer.DEFAULT_MODIFICATION_TIME, "0:0");
  }
}
