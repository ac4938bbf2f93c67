package dev.cleanroom.bridge.backend;

import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import java.io.IOException;
import dev.cleanroom.tee.api.ImageBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes a {@link TeePlatform} by name ({@code local}, {@code gcp}); registered for {@link ServiceLoader} in
 * {@code META-INF/services}, so that wiring a platform in is one class.
 */
public interface TeePlatformProvider {
  String name();

  TeePlatform create(Settings settings) throws IOException;

  /**
   * What a platform is made with.
   *
   * @param workDir a folder of the bridge's own for the platform's files (image layouts, simulator state)
   * @param storage where the job's notebook is and where its results go
   * @param datasets where each dataset's inputs are: the platform gives the TEE each input the launcher's
   *     {@code DCR_INPUTS} names ({@link CatalogDataset#inputLocations()})
   * @param options {@code --tee-option KEY=VALUE} pairs, platform-specific (project, zone, service account, ...)
   * @param environment the bridge's environment, where a platform may find its settings too (the Helm chart passes
   *     the GCP platform's as {@code DCR_GCP_*} variables); an option given wins over its variable
   */
  record Settings(Path workDir, ObjectStorage storage, DatasetCatalog datasets, Map<String, String> options,
      Map<String, String> environment) {
    public Settings {
      options = Map.copyOf(options);
      environment = Map.copyOf(environment);
    }

    /** Settings without environment: the platform takes options only. */
    public Settings(Path workDir, ObjectStorage storage, DatasetCatalog datasets, Map<String, String> options) {
      this(workDir, storage, datasets, options, Map.of());
    }

    public Optional<String> option(String key) {
      return Optional.ofNullable(options.get(key));
    }

    /**
     * The option every platform that builds images takes, {@code maven-repository=URL}: where the image build fetches
     * the jars a notebook locked with {@code %maven} (default {@code $DCR_MAVEN_REPOSITORY}, else Maven Central).
     */
    public static final String MAVEN_REPOSITORY = "maven-repository";

    /** Sets the image build's notebook-library repository from {@link #MAVEN_REPOSITORY}, if given. */
    public ImageBuilder.Builder libraryRepository(ImageBuilder.Builder builder) {
      option(MAVEN_REPOSITORY).map(URI::create).ifPresent(builder::libraryRepository);
      return builder;
    }
  }

  static Optional<TeePlatformProvider> named(String name) {
    return ServiceLoader.load(TeePlatformProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals(name))
        .findFirst();
  }

  static java.util.List<String> names() {
    return ServiceLoader.load(TeePlatformProvider.class).stream().map(p -> p.get().name()).sorted().toList();
  }
}
