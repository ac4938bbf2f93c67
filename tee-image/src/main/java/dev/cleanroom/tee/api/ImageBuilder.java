package dev.cleanroom.tee.api;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.tee.base.BaseRuntime;
import dev.cleanroom.tee.base.BaseRuntimeRecipe;
import dev.cleanroom.tee.fs.FileTrees;
import dev.cleanroom.tee.image.ImageAssembler;
import dev.cleanroom.tee.image.LauncherBundle;
import dev.cleanroom.tee.image.OciLayout;
import dev.cleanroom.tee.image.PrebuiltAssets;
import dev.cleanroom.tee.image.RegistryAccess;
import dev.cleanroom.tee.libraries.LockedJars;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Builds the stage-2 image of a notebook, reproducibly, with Jib and no Docker: the base runtime (a JRE
 * linked from the pinned JDK plus pinned Debian packages), the launcher bundle, and the notebook.
 *
 * <pre>{@code
 * BuiltImage image = ImageBuilder.create().build(Path.of("analysis.ipynb"), approvedInputs, Path.of("out/image"));
 * image.digest();   // sha256:..., what the TEE's token will attest
 * }</pre>
 *
 * <p>Where there is no JDK to link from and no Debian archive to fetch from (the bridge in a cluster), the base
 * runtime and launcher bundle come prebuilt from {@code $DCR_TEE_IMAGE_ASSETS} (see {@link Builder#prebuiltAssets}).
 *
 * <p>A notebook that locked libraries of its own with {@code %maven} (the lock its outputs carry) gets them in one more
 * layer: each jar fetched once into a content-addressed cache from the Maven repository ({@link Builder#libraryRepository})
 * or a folder ({@link Builder#libraryFolder}) and checked against the lock's sha256 first.
 *
 * <p>Invariant: the digest depends only on the notebook's bytes (its lock included, which names its libraries'
 * bytes), the inputs it is approved to read ({@link ApprovedInputs}: names and commitments), the launcher bundle's
 * jars, the base runtime lock file and the launch policy: two builds of them, in any process at any time, give the
 * same digest, whether the base runtime was assembled here or prebuilt; one byte more or less in the notebook, or
 * another input, gives another.
 */
public final class ImageBuilder {
  /** Labels that say what the image was made from. */
  public static final String NOTEBOOK_LABEL = "dev.cleanroom.notebook.sha256";
  public static final String BASE_LABEL = "dev.cleanroom.base-runtime";
  public static final String JDK_LABEL = "dev.cleanroom.jdk";
  /** The sha256 of the notebook's lock ({@code NotebookLock.sha256()}), on images with notebook libraries only. */
  public static final String LIBRARIES_LABEL = "dev.cleanroom.notebook-libraries.sha256";
  /** The repository name images are written under; the tag is the notebook's sha256 (first 16 digits). */
  public static final String REPOSITORY = "cleanroom/notebook";
  /** The largest notebook an image takes; its outputs are not needed, the image runs it afresh. */
  public static final long MAX_NOTEBOOK_BYTES = 64L * 1024 * 1024;
  /** The folder of prebuilt assets, when set: {@code base-runtime/}, {@code base-runtime.key}, {@code launcher/}. */
  public static final String ASSETS_VARIABLE = "DCR_TEE_IMAGE_ASSETS";

  private final BaseRuntime base;
  private final Optional<Path> prebuiltRootfs;
  private final LauncherBundle bundle;
  private final LaunchPolicy policy;
  private final Path cacheDir;
  private final Consumer<String> progress;
  private final LockedJars libraries;

  private ImageBuilder(Builder b, Optional<Path> prebuiltRootfs, LauncherBundle bundle) {
    this.base = new BaseRuntime(b.recipe, b.javaHome, b.cacheDir, b.progress);
    this.prebuiltRootfs = prebuiltRootfs;
    this.bundle = bundle;
    this.policy = b.policy;
    this.cacheDir = b.cacheDir;
    this.progress = b.progress;
    this.libraries = new LockedJars(libraryCache(b.cacheDir), b.librarySource, b.progress);
  }

  /** The builder of this installation: its launcher bundle, the pinned base, this JDK, {@code $DCR_CACHE}. */
  public static ImageBuilder create() throws ImageBuildException {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds the image of {@code notebook}, approved to read {@code inputs}, into a new OCI layout folder {@code layoutDir}. */
  public BuiltImage build(Path notebook, ApprovedInputs inputs, Path layoutDir) throws ImageBuildException {
    long start = System.nanoTime();
    Sha256 notebookSha = requireNotebook(notebook);
    String reference = REPOSITORY + ":" + notebookSha.hex().substring(0, 16);
    if (Files.exists(layoutDir)) {
      throw new ImageBuildException("build_failed", "Tried to write the image to " + layoutDir + " but failed because:"
          + " it already exists. Give a new folder, or delete it first.");
    }
    Path tar = null;
    try {
      Files.createDirectories(layoutDir.toAbsolutePath().getParent());
      tar = Files.createTempFile(layoutDir.toAbsolutePath().getParent(), ".image", ".tar");
      containerize(notebook, inputs, notebookSha, Containerizer.to(TarImage.at(tar).named(ImageReference.parse(reference))), false);
      OciLayout layout = OciLayout.unpack(tar, layoutDir);
      return new BuiltImage(layout.digest(), layout.configDigest(), layout.reference(), notebookSha.hex(), layout.labels(),
          Optional.of(layout.dir()), Duration.ofNanos(System.nanoTime() - start));
    } catch (InvalidImageReferenceException e) {
      throw new IllegalStateException("the image name " + reference + " is always valid", e);
    } catch (IOException e) {
      throw new ImageBuildException("build_failed", "Tried to write the image of " + notebook + " to " + layoutDir
          + " but failed because: " + e.getMessage(), e);
    } finally {
      deleteQuietly(tar);
    }
  }

  /**
   * Builds the image of {@code notebook}, approved to read {@code inputs}, and pushes it to a registry as
   * {@code reference} ({@code host:port/repository:tag}). A registry on loopback may speak plain HTTP; any other must
   * speak HTTPS.
   */
  public BuiltImage push(Path notebook, ApprovedInputs inputs, String reference) throws ImageBuildException {
    return push(notebook, inputs, reference, Optional.empty());
  }

  /** As {@link #push(Path, ApprovedInputs, String)}, logging in to the registry with {@code credential} (e.g. Artifact Registry). */
  public BuiltImage push(Path notebook, ApprovedInputs inputs, String reference, RegistryCredential credential)
      throws ImageBuildException {
    return push(notebook, inputs, reference, Optional.of(credential));
  }

  private BuiltImage push(Path notebook, ApprovedInputs inputs, String reference, Optional<RegistryCredential> credential)
      throws ImageBuildException {
    long start = System.nanoTime();
    Sha256 notebookSha = requireNotebook(notebook);
    ImageReference target;
    try {
      target = ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      throw new ImageBuildException("push_failed", "Tried to push the image as '" + reference + "' but failed because:"
          + " it is not an image reference. Use host:port/repository:tag.");
    }
    boolean loopback = RegistryAccess.isLoopback(target.getRegistry());
    if (!loopback && RegistryAccess.speaksOnlyPlainHttp(target.getRegistry())) {
      throw new ImageBuildException("insecure_registry", "Tried to push the image as " + reference
          + " but failed because: " + RegistryAccess.plainHttpRefused(target.getRegistry()));
    }
    RegistryImage registry = RegistryImage.named(target);
    credential.ifPresent(c -> registry.addCredential(c.username(), c.password()));
    Containerizer containerizer = Containerizer.to(registry).setAllowInsecureRegistries(loopback);
    JibContainer container = containerize(notebook, inputs, notebookSha, containerizer, true);
    return new BuiltImage(container.getDigest().toString(), container.getImageId().toString(), reference,
        notebookSha.hex(), labels(notebookSha, lock(notebook)), Optional.empty(), Duration.ofNanos(System.nanoTime() - start));
  }

  /** The digest of the image of {@code notebook} approved for {@code inputs}, built in a scratch folder then deleted. */
  public String digest(Path notebook, ApprovedInputs inputs) throws ImageBuildException {
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("dcr-image");
      return build(notebook, inputs, scratch.resolve("image")).digest();
    } catch (IOException e) {
      throw new ImageBuildException("build_failed", "Tried to make a scratch folder for the image build but failed"
          + " because: " + e.getMessage(), e);
    } finally {
      FileTrees.deleteScratch(scratch, progress);
    }
  }

  /**
   * Writes the base runtime and launcher bundle this builder uses into the new folder {@code dir}, for builders
   * elsewhere to take with {@link Builder#prebuiltAssets}: their images are byte-identical to this one's.
   */
  public void exportAssets(Path dir) throws ImageBuildException {
    Path rootfs = baseRootfs();
    try {
      PrebuiltAssets.write(rootfs, base.recipe(), bundle, dir);
    } catch (IOException e) {
      throw new ImageBuildException("build_failed", "Tried to write the base runtime and launcher bundle to " + dir
          + " but failed because: " + e.getMessage() + ". Give a new folder on a disk with room for them.", e);
    }
  }

  private Path baseRootfs() throws ImageBuildException {
    return prebuiltRootfs.isPresent() ? prebuiltRootfs.get() : base.rootfs();
  }

  private JibContainer containerize(Path notebook, ApprovedInputs inputs, Sha256 notebookSha, Containerizer containerizer,
      boolean push)
      throws ImageBuildException {
    // The jars first: a jar that differs from the lock fails the build before the slow steps.
    NotebookLock lock = lock(notebook);
    Map<String, Path> jars = libraries.fetch(lock);
    Path rootfs = baseRootfs();
    try {
      ImageAssembler assembler = new ImageAssembler(rootfs, bundle, cacheDir.resolve("tee-image").resolve("staging"));
      return assembler.container(notebook, inputs.toJson(), jars, labels(notebookSha, lock)).containerize(containerizer
          .setApplicationLayersCache(cacheDir.resolve("tee-image").resolve("jib-cache"))
          .setBaseImageLayersCache(cacheDir.resolve("tee-image").resolve("jib-cache"))
          .setToolName("dcr-tee-image")
          .setToolVersion(null)
          .addEventHandler(LogEvent.class, this::log));
    } catch (RegistryException e) {
      throw new ImageBuildException("push_failed", "Tried to push the image of " + notebook + " but failed because: "
          + e.getMessage() + ". Check that the registry is reachable and accepts pushes.", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ImageBuildException(push ? "push_failed" : "build_failed", "Tried to build the image of " + notebook
          + " but failed because: " + cause.getMessage(), cause);
    } catch (IOException | CacheDirectoryCreationException e) {
      throw new ImageBuildException("build_failed", "Tried to build the image of " + notebook + " but failed because: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageBuildException("build_failed", "Tried to build the image of " + notebook + " but was interrupted", e);
    }
  }

  private Map<String, String> labels(Sha256 notebookSha, NotebookLock lock) {
    Map<String, String> labels = new LinkedHashMap<>(policy.labels());
    labels.put(NOTEBOOK_LABEL, notebookSha.hex());
    labels.put(BASE_LABEL, base.key().hex());
    labels.put(JDK_LABEL, base.recipe().jdk());
    if (!lock.isEmpty()) {
      labels.put(LIBRARIES_LABEL, lock.sha256());
    }
    return labels;
  }

  /**
   * The lock the notebook's {@code %maven} outputs carry (empty when it has none). Bytes that are not a JSON object
   * carry none: the image is built, and its launcher attests the run's failure (the notebook is not JSON).
   */
  private static NotebookLock lock(Path notebook) throws ImageBuildException {
    try {
      byte[] bytes = Files.readAllBytes(notebook);
      if (!isJsonObject(bytes)) {
        return new NotebookLock(List.of());
      }
      return NotebookLock.of(bytes);
    } catch (IllegalArgumentException e) {
      throw new ImageBuildException("invalid_lock", "Tried to read the libraries the notebook " + notebook + " locked"
          + " with %maven but failed because: " + e.getMessage());
    } catch (IOException e) {
      throw new ImageBuildException("invalid_notebook", "Tried to read " + notebook + " but failed because: "
          + e.getMessage(), e);
    }
  }

  private static boolean isJsonObject(byte[] bytes) {
    try {
      return JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).isJsonObject();
    } catch (JsonParseException e) {
      return false;
    }
  }

  private void log(LogEvent event) {
    if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN) {
      progress.accept("jib: " + event.getMessage());
    }
  }

  private static Sha256 requireNotebook(Path notebook) throws ImageBuildException {
    if (!Files.isRegularFile(notebook)) {
      throw new ImageBuildException("invalid_notebook", "Tried to build the image of " + notebook + " but failed"
          + " because: there is no such file.");
    }
    try {
      if (Files.size(notebook) > MAX_NOTEBOOK_BYTES) {
        throw new ImageBuildException("invalid_notebook", "Tried to build the image of " + notebook + " but failed"
            + " because: it has " + Files.size(notebook) + " bytes, more than " + MAX_NOTEBOOK_BYTES + ". Clear its"
            + " outputs (the image runs it afresh) and submit it again.");
      }
      return Sha256.of(notebook);
    } catch (IOException e) {
      throw new ImageBuildException("invalid_notebook", "Tried to read " + notebook + " but failed because: " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a temporary file in the output's parent folder; harmless if it stays
      }
    }
  }

  /** Options of the builder; the defaults are this installation's. */
  public static final class Builder {
    private Path cacheDir = defaultCache();
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private BaseRuntimeRecipe recipe = BaseRuntimeRecipe.pinned();
    private Path bundleDir;
    private Optional<Path> assetsDir = Optional.ofNullable(System.getenv(ASSETS_VARIABLE)).filter(s -> !s.isBlank()).map(Path::of);
    private LaunchPolicy policy = LaunchPolicy.production();
    private Consumer<String> progress = line -> { };
    private LockedJars.Source librarySource = LockedJars.defaultSource(System.getenv());

    private Builder() {}

    /**
     * The Maven repository the notebook's own libraries are fetched from (default {@code $DCR_MAVEN_REPOSITORY}, else
     * Maven Central): a URL in the Maven 2 layout, {@code https:} or {@code file:}.
     */
    public Builder libraryRepository(URI value) {
      this.librarySource = new LockedJars.Source.Repository(value);
      return this;
    }

    /** Take the notebook's own libraries from this folder of jars (Maven layout or flat), never from a network. */
    public Builder libraryFolder(Path value) {
      this.librarySource = new LockedJars.Source.Folder(value);
      return this;
    }

    /** The tool cache (default {@code $DCR_CACHE}, else {@code ~/.cache/dcr}). */
    public Builder cacheDir(Path value) {
      this.cacheDir = value;
      return this;
    }

    /** The JDK jlink links from; must be the one {@code base-runtime.lock} pins (default: this JVM's). */
    public Builder javaHome(Path value) {
      this.javaHome = value;
      return this;
    }

    /** The launcher bundle folder (default: this installation's, see {@code LauncherBundle.installed()}). */
    public Builder launcherBundle(Path value) {
      this.bundleDir = value;
      return this;
    }

    /**
     * A folder {@link #exportAssets} wrote (default {@code $DCR_TEE_IMAGE_ASSETS}, else none): its base runtime is
     * used as it is, with no jlink and no Debian packages (so the JDK is not needed), and its launcher bundle
     * unless {@link #launcherBundle} names another. One assembled from another lock is refused.
     */
    public Builder prebuiltAssets(Path value) {
      this.assetsDir = Optional.of(value);
      return this;
    }

    /** Assemble the base runtime here from the pinned JDK and packages, even if {@code $DCR_TEE_IMAGE_ASSETS} is set. */
    public Builder withoutPrebuiltAssets() {
      this.assetsDir = Optional.empty();
      return this;
    }

    public Builder launchPolicy(LaunchPolicy value) {
      this.policy = value;
      return this;
    }

    /** Where progress lines go (one line per slow step), e.g. {@code System.err::println}. */
    public Builder progress(Consumer<String> value) {
      this.progress = value;
      return this;
    }

    public ImageBuilder build() throws ImageBuildException {
      Optional<PrebuiltAssets> assets = Optional.empty();
      if (assetsDir.isPresent()) {
        assets = Optional.of(PrebuiltAssets.read(assetsDir.get(), recipe));
        progress.accept("Using the prebuilt base runtime in " + assets.get().baseRootfs());
      }
      LauncherBundle bundle = bundleDir != null ? LauncherBundle.at(bundleDir)
          : assets.isPresent() ? assets.get().launcher() : LauncherBundle.installed();
      return new ImageBuilder(this, assets.map(PrebuiltAssets::baseRootfs), bundle);
    }
  }

  /**
   * The content-addressed cache ({@code <sha256>.jar}) of the notebooks' own libraries that builds with this tool cache
   * took: a jar is there once an image with it was built (or one failed after its jars were fetched and checked).
   */
  public static Path libraryCache(Path cacheDir) {
    return cacheDir.resolve("tee-image").resolve("notebook-lib");
  }

  /** {@code $DCR_CACHE}, else {@code ~/.cache/dcr}: where dcr keeps tools and caches. */
  public static Path defaultCache() {
    String configured = System.getenv("DCR_CACHE");
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "dcr");
  }
}
