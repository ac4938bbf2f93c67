package dev.cleanroom.images;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.base.BaseRuntime;
import dev.cleanroom.tee.base.BaseRuntimeRecipe;
import dev.cleanroom.tee.fs.FileTrees;
import dev.cleanroom.tee.image.LauncherBundle;
import dev.cleanroom.tee.image.OciLayout;
import dev.cleanroom.tee.image.RegistryAccess;
import dev.cleanroom.tee.image.Staging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Builds the deployment's images reproducibly, with Jib and no Docker, from what {@code ./dcr build} left in a
 * checkout: the job bridge, the DP query service and the single-user Jupyter server.
 *
 * <pre>{@code
 * DeploymentImages images = DeploymentImages.builder().checkout(Path.of(".")).build();
 * images.build(DeploymentImage.BRIDGE, Path.of("target/images"), "latest").digest();
 * images.push(DeploymentImage.BRIDGE, "127.0.0.1:5000", "latest").digest();   // the same digest
 * }</pre>
 *
 * <p>Invariant: an image's digest depends only on the jars (and, for the bridge, tee-image's launcher bundle; for
 * the single-user image, the pinned wheels and kernel), the pinned base runtime and this module's code: never on the
 * time, the machine's own files, the tag or where it goes. So the digest pushed is the digest built.
 */
public final class DeploymentImages {
  /** The label naming the image's base runtime (the sha256 of its lock), as on stage-2 images. */
  public static final String BASE_LABEL = ImageBuilder.BASE_LABEL;
  public static final String JDK_LABEL = ImageBuilder.JDK_LABEL;
  public static final String TITLE_LABEL = "org.opencontainers.image.title";
  /** Ports the services listen on by default (BridgeMain, DpQueryServiceMain), and Jupyter's. */
  static final int BRIDGE_PORT = 8480;
  static final int DP_SERVICE_PORT = 8470;
  static final int SINGLE_USER_PORT = 8888;
  /** The launcher bundle tee-image's build writes, which the bridge's image carries for its stage-2 images. */
  static final String LAUNCHER_BUNDLE = "tee-image/target/launcher";

  private final Path checkout;
  private final Path cacheDir;
  private final Path javaHome;
  private final Consumer<String> progress;

  private DeploymentImages(Builder b) {
    this.checkout = b.checkout.toAbsolutePath().normalize();
    this.cacheDir = b.cacheDir;
    this.javaHome = b.javaHome;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds {@code image} into the OCI layout folder {@code outDir/<repository>}, named {@code <repository>:tag}
   * in its index. A layout left there by an earlier build is replaced.
   */
  public PublishedImage build(DeploymentImage image, Path out, String tag) throws ImagesException {
    long start = System.nanoTime();
    String reference = image.repository() + ":" + requireTag(tag);
    // Absolute and normalized: the layout unpacker checks every entry lands inside it by comparing paths.
    Path outDir = out.toAbsolutePath().normalize();
    Path layoutDir = outDir.resolve(image.repository());
    Path tar = null;
    try {
      if (Files.exists(layoutDir)) {
        if (!Files.isRegularFile(layoutDir.resolve("oci-layout"))) {
          throw new ImagesException("build_failed", "Tried to write " + image.repository() + " to " + layoutDir + " but"
              + " failed because: it exists and is not an OCI layout. Give another --out folder, or delete it.");
        }
        FileTrees.delete(layoutDir);
      }
      Files.createDirectories(outDir);
      tar = Files.createTempFile(outDir, "." + image.repository(), ".tar");
      containerize(image, Containerizer.to(TarImage.at(tar).named(ImageReference.parse(reference))));
      OciLayout layout = OciLayout.unpack(tar, layoutDir);
      return new PublishedImage(image, reference, layout.digest(), Optional.of(layout.dir()), since(start));
    } catch (InvalidImageReferenceException e) {
      throw new IllegalStateException("the repository names are valid references with any valid tag", e);
    } catch (IOException e) {
      throw new ImagesException("build_failed", "Tried to write " + image.repository() + " to " + layoutDir
          + " but failed because: " + e.getMessage(), e);
    } finally {
      if (tar != null) {
        FileTrees.deleteScratch(tar, progress);
      }
    }
  }

  /**
   * Builds {@code image} and pushes it as {@code registry/<repository>:tag}. {@code registry} is
   * {@code host[:port][/path]}; only a registry on loopback may speak plain HTTP.
   */
  public PublishedImage push(DeploymentImage image, String registry, String tag) throws ImagesException {
    long start = System.nanoTime();
    String reference = registry.replaceAll("/+$", "") + "/" + image.repository() + ":" + requireTag(tag);
    ImageReference target;
    try {
      target = ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      throw new ImagesException("push_failed", "Tried to push " + image.repository() + " as '" + reference + "' but"
          + " failed because: it is not an image reference. Give the registry as host:port or host:port/path.");
    }
    boolean loopback = RegistryAccess.isLoopback(target.getRegistry());
    if (!loopback && RegistryAccess.speaksOnlyPlainHttp(target.getRegistry())) {
      throw new ImagesException("insecure_registry", "Tried to push " + reference + " but failed because: "
          + RegistryAccess.plainHttpRefused(target.getRegistry()));
    }
    RegistryImage to = RegistryImage.named(target)
        .addCredentialRetriever(CredentialRetrieverFactory.forImage(target, this::log).dockerConfig());
    try {
      JibContainer container = containerize(image, Containerizer.to(to).setAllowInsecureRegistries(loopback));
      return new PublishedImage(image, reference, container.getDigest().toString(), Optional.empty(), since(start));
    } catch (ImagesException e) {
      if (e.getCause() instanceof InsecureRegistryException) {
        throw new ImagesException("insecure_registry", "Tried to push " + reference + " but failed because: "
            + target.getRegistry() + " offers no HTTPS with a certificate this machine trusts, and plain HTTP is"
            + " allowed only for a registry on loopback. Give the registry a trusted certificate (or add its CA to"
            + " the JDK's trust store), or push through a loopback address.", e);
      }
      throw e;
    }
  }

  private JibContainer containerize(DeploymentImage image, Containerizer containerizer) throws ImagesException {
    progress.accept("Building " + image.repository());
    try {
      BaseRuntime base = new BaseRuntime(BaseRuntimeRecipe.pinned(), javaHome, cacheDir, progress);
      Staging staging = new Staging(cacheDir.resolve("images").resolve("staging"));
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put(TITLE_LABEL, image.repository());
      labels.put(BASE_LABEL, base.key().hex());
      labels.put(JDK_LABEL, base.recipe().jdk());
      JibContainerBuilder container = switch (image) {
        case BRIDGE -> ServiceImage.withTeeImageAssets(ServiceImage.container(base.rootfs(),
            JavaApplication.built(checkout.resolve("job-bridge"), "dev.cleanroom.bridge.BridgeMain"), BRIDGE_PORT, staging,
            labels), base.rootfs(), base.recipe(), LauncherBundle.at(checkout.resolve(LAUNCHER_BUNDLE)), staging);
        case DP_SERVICE -> ServiceImage.container(base.rootfs(), JavaApplication.built(checkout.resolve("dp-engine"),
            "dev.cleanroom.dp.service.DpQueryServiceMain"), DP_SERVICE_PORT, staging, labels);
        case SINGLE_USER -> new SingleUserImage(checkout, javaHome, cacheDir, progress)
            .container(staging, labels, SINGLE_USER_PORT);
      };
      return container.containerize(containerizer
          .setApplicationLayersCache(cacheDir.resolve("images").resolve("jib-cache"))
          .setBaseImageLayersCache(cacheDir.resolve("images").resolve("jib-cache"))
          .setToolName("dcr-images")
          .setToolVersion(null)
          .addEventHandler(LogEvent.class, this::log));
    } catch (ImageBuildException e) {
      throw new ImagesException("base_failed", e.getMessage() + " [" + e.code() + "]", e);
    } catch (RegistryException e) {
      throw new ImagesException("push_failed", "Tried to push " + image.repository() + " but failed because: "
          + e.getMessage() + ". Check that the registry is reachable and accepts pushes.", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ImagesException("build_failed", "Tried to build " + image.repository() + " but failed because: "
          + cause.getMessage(), cause);
    } catch (IOException | CacheDirectoryCreationException e) {
      throw new ImagesException("build_failed", "Tried to build " + image.repository() + " but failed because: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImagesException("build_failed", "Tried to build " + image.repository() + " but was interrupted", e);
    }
  }

  private void log(LogEvent event) {
    if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN) {
      progress.accept("jib: " + event.getMessage());
    }
  }

  private static String requireTag(String tag) throws ImagesException {
    if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
      throw new ImagesException("build_failed", "Tried to tag the images '" + tag + "' but failed because: a tag is"
          + " up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.");
    }
    return tag;
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Options; the defaults are this installation's. */
  public static final class Builder {
    private Path checkout = Path.of(".");
    private Path cacheDir = ImageBuilder.defaultCache();
    private Path javaHome = Path.of(System.getProperty("java.home"));
    private Consumer<String> progress = line -> { };

    private Builder() {}

    /** The checkout whose modules {@code ./dcr build} built (default: the current folder). */
    public Builder checkout(Path value) {
      this.checkout = value;
      return this;
    }

    /** The tool cache (default {@code $DCR_CACHE}, else {@code ~/.cache/dcr}). */
    public Builder cacheDir(Path value) {
      this.cacheDir = value;
      return this;
    }

    /** The JDK the base runtime's JRE is linked from; must be the pinned one (default: this JVM's). */
    public Builder javaHome(Path value) {
      this.javaHome = value;
      return this;
    }

    /** Where progress lines go (one line per slow step). */
    public Builder progress(Consumer<String> value) {
      this.progress = value;
      return this;
    }

    public DeploymentImages build() {
      return new DeploymentImages(this);
    }
  }
}
