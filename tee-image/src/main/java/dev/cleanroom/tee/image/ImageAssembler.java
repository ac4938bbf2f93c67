package dev.cleanroom.tee.image;

import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Puts the stage-2 image together for Jib, from scratch: the base runtime layer, the launcher layer
 * ({@code /app/lib} + {@code /app/jvm.args}), when the notebook locked libraries with {@code %maven} the notebook
 * libraries layer ({@code /app/notebook-lib}, exactly the lock's jars) and the notebook layer
 * ({@code /app/notebook.ipynb} and the inputs it is approved to read, {@code /app/inputs.json}), with the
 * launcher as entry point, running as root (the launcher runs the notebook as nobody), and the launch policy as labels.
 *
 * <p>Invariant: the image is a function of its files' bytes and this class: entries sorted, times fixed
 * ({@link FileEntriesLayer#DEFAULT_MODIFICATION_TIME}, creation time the epoch), owner root, modes 0644
 * or 0755, no file from the build machine but the ones named. Files Jib reads are staged under names
 * made from their sha256, so Jib's layer cache (which keys on path and modification time) can never
 * serve a layer for other bytes.
 */
public final class ImageAssembler {
  /** Options of the launcher's JVM, written to {@link ImageLayout#JVM_ARGS} after the class path. */
  public static final List<String> LAUNCHER_JVM_OPTIONS = List.of(
      "-XX:+DisableAttachMechanism", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
      "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8", "--sun-misc-unsafe-memory-access=allow");

  private static final FilePermissions READ_ONLY = FilePermissions.fromOctalString("644");

  private final Path baseRootfs;
  private final LauncherBundle bundle;
  private final Staging staging;

  /**
   * @param staging a cache folder for content-addressed copies of generated files and notebooks
   */
  public ImageAssembler(Path baseRootfs, LauncherBundle bundle, Path staging) {
    this.baseRootfs = baseRootfs;
    this.bundle = bundle;
    this.staging = new Staging(staging);
  }

  /**
   * The image for one notebook approved for {@code approvedInputs} (the file {@code ApprovedInputs} writes), with these
   * labels (launch policy and provenance).
   *
   * @param libraries the notebook's own jars, file name in {@link ImageLayout#NOTEBOOK_LIBRARIES} → checked file
   *     (content-addressed, so Jib's layer cache keys on their bytes); none adds no layer, so an image without them
   *     is the same as before there were any
   */
  public JibContainerBuilder container(Path notebook, byte[] approvedInputs, Map<String, Path> libraries,
      Map<String, String> labels) throws IOException {
    Path notebookCopy = staging.stage(Files.readAllBytes(notebook), "notebook.ipynb");
    Path inputsCopy = staging.stage(approvedInputs, "inputs.json");
    Path jvmArgs = staging.stage(jvmArgs().getBytes(StandardCharsets.UTF_8), "jvm.args");
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("PATH", ImageLayout.JAVA_HOME + "/bin:/usr/bin:/bin");
    environment.put("JAVA_HOME", ImageLayout.JAVA_HOME);
    environment.put("HOME", ImageLayout.TMP); // fontconfig keeps its cache under $HOME; the root is read-only
    environment.put("LANG", "C.UTF-8");
    environment.put("TZ", "UTC");
    List<String> entrypoint = List.of(ImageLayout.JAVA, "@" + ImageLayout.JVM_ARGS, ImageLayout.LAUNCHER_MAIN);
    List<FileEntriesLayer> layers = new ArrayList<>(List.of(baseLayer(), launcherLayer(jvmArgs)));
    if (!libraries.isEmpty()) {
      layers.add(notebookLibrariesLayer(libraries));
    }
    layers.add(notebookLayer(notebookCopy, inputsCopy));
    return Jib.fromScratch()
        .setFormat(ImageFormat.OCI)
        .setCreationTime(Instant.EPOCH)
        .setFileEntriesLayers(layers)
        .setEntrypoint(entrypoint)
        .setEnvironment(environment)
        .setUser(ImageLayout.LAUNCHER_UID + ":" + ImageLayout.LAUNCHER_UID)
        .setWorkingDirectory(AbsoluteUnixPath.get(ImageLayout.TMP))
        .setLabels(labels);
  }

  /** The JVM options file: the class path in the bundle's order, then {@link #LAUNCHER_JVM_OPTIONS}. */
  String jvmArgs() {
    StringBuilder text = new StringBuilder("-cp ").append(String.join(":", bundle.imageClasspath())).append('\n');
    LAUNCHER_JVM_OPTIONS.forEach(option -> text.append(option).append('\n'));
    return text.toString();
  }

  private FileEntriesLayer baseLayer() throws IOException {
    return rootfsLayer("base runtime", baseRootfs);
  }

  /**
   * A layer of every file and folder under {@code rootfs} at the same path under {@code /}, sorted, with the
   * modes they have (normalized by whoever assembled the folder), owner root and the fixed time. The service
   * images (images/) put the base runtime and their own root folders into layers with it.
   */
  public static FileEntriesLayer rootfsLayer(String name, Path rootfs) throws IOException {
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(rootfs)) {
      paths = walk.filter(p -> !p.equals(rootfs)).sorted().toList();
    }
    for (Path path : paths) {
      if (Files.isSymbolicLink(path)) {
        throw new IOException("the " + name + " folder holds a link, " + rootfs.relativize(path) + "; rebuild its cache");
      }
      // The base runtime's modes are normalized when it is assembled (0644, 0755, /tmp 0777).
      FilePermissions mode = FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
      layer.addEntry(entry(path, "/" + unixPath(rootfs.relativize(path)), mode));
    }
    return layer.build();
  }

  private FileEntriesLayer launcherLayer(Path jvmArgs) {
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("launcher");
    for (Path jar : bundle.jars()) {
      layer.addEntry(entry(jar, ImageLayout.APP_LIB + "/" + jar.getFileName(), READ_ONLY));
    }
    layer.addEntry(entry(jvmArgs, ImageLayout.JVM_ARGS, READ_ONLY));
    return layer.build();
  }

  /** The notebook's own jars, sorted by name: a function of the lock alone. */
  private static FileEntriesLayer notebookLibrariesLayer(Map<String, Path> libraries) {
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("notebook libraries");
    new TreeMap<>(libraries).forEach((name, jar) ->
        layer.addEntry(entry(jar, ImageLayout.NOTEBOOK_LIBRARIES + "/" + name, READ_ONLY)));
    return layer.build();
  }

  private static FileEntriesLayer notebookLayer(Path notebook, Path approvedInputs) {
    return FileEntriesLayer.builder().setName("notebook")
        .addEntry(entry(approvedInputs, ImageLayout.APPROVED_INPUTS, READ_ONLY))
        .addEntry(entry(notebook, ImageLayout.NOTEBOOK, READ_ONLY)).build();
  }

  private static FileEntry entry(Path source, String pathInImage, FilePermissions permissions) {
    return new FileEntry(source, AbsoluteUnixPath.get(pathInImage), permissions,
        FileEntriesLayer.DEFAULT_MODIFICATION_TIME, "0:0");
  }

  private static String unixPath(Path relative) {
    List<String> parts = new ArrayList<>();
    relative.forEach(p -> parts.add(p.toString()));
    return String.join("/", parts);
  }
}
