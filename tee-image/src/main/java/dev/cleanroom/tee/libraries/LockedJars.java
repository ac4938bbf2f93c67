package dev.cleanroom.tee.libraries;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.kernel.maven.NotebookLibraries;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.kernel.maven.NotebookLock.LockedJar;
import dev.cleanroom.tee.api.ImageBuildException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The jars of a notebook's lock, each fetched once into a content-addressed cache ({@code <cache>/<sha256>.jar}) from a
 * Maven repository (the deployment's mirror, Maven Central, or a {@code file:} folder in the Maven 2 layout) or taken
 * from a folder of jars an auditor brings.
 *
 * <p>Invariant: a jar reaches the cache, and so an image, only once its bytes have the sha256 the lock names; a jar
 * with other bytes is refused with its coordinates named, and a cached jar is checked again before each use. A
 * repository's jar is fetched once (the cache serves it after); a folder's is read and checked at every build.
 */
public final class LockedJars {
  /** The largest jar taken: a library, not a data set. */
  static final long MAX_JAR_BYTES = 512L * 1024 * 1024;
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final Path cache;
  private final Source source;
  private final Consumer<String> progress;

  /** Where jars come from: a Maven repository's URL, or a folder of jars (Maven layout or flat). */
  public sealed interface Source {
    /** A URL in the Maven 2 layout ({@code https:}, {@code http:} or {@code file:}). */
    record Repository(URI url) implements Source {}

    /** A folder of jars, each at its Maven repository path or directly under the folder by its file name there. */
    record Folder(Path dir) implements Source {}
  }

  public LockedJars(Path cache, Source source, Consumer<String> progress) {
    this.cache = cache;
    this.source = source;
    this.progress = progress;
  }

  /**
   * The lock's jars, each checked: the jar's file name in the image → its file in the cache, in the lock's order.
   *
   * @throws ImageBuildException {@code library_mismatch} naming the coordinates when a jar's bytes differ from the
   *     lock, {@code library_unavailable} when a jar cannot be fetched
   */
  public Map<String, Path> fetch(NotebookLock lock) throws ImageBuildException {
    Map<String, Path> jars = new LinkedHashMap<>();
    for (LockedJar jar : lock.jars()) {
      jars.put(jar.fileName(), cached(jar));
    }
    return jars;
  }

  private Path cached(LockedJar jar) throws ImageBuildException {
    Path file = cache.resolve(jar.sha256() + ".jar");
    try {
      // A folder the auditor brings is checked jar by jar, never stood in for by what an earlier build cached.
      if (source instanceof Source.Repository && Files.isRegularFile(file) && Sha256.of(file).hex().equals(jar.sha256())) {
        return file;
      }
      Files.createDirectories(cache);
      Path temp = Files.createTempFile(cache, jar.sha256(), ".part");
      try {
        String from = download(jar, temp);
        String actual = Sha256.of(temp).hex();
        if (!actual.equals(jar.sha256())) {
          throw new ImageBuildException("library_mismatch", "Tried to take " + jar.coordinates() + " into the image but"
              + " failed because: the jar from " + from + " has sha256 " + actual + ", and the notebook's lock says "
              + jar.sha256() + ". Its bytes differ from those the scientist's kernel resolved: use the repository the"
              + " lock was made with, or run the notebook's %maven cells again and submit it again.");
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new ImageBuildException("library_unavailable", "Tried to fetch " + jar.coordinates() + " for the image but"
          + " failed because: " + e.getMessage() + ". Check that " + describe() + " holds it and is reachable.", e);
    }
  }

  /** Copies the jar's bytes to {@code target}; returns where they came from, for messages. */
  private String download(LockedJar jar, Path target) throws IOException {
    return switch (source) {
      case Source.Folder folder -> {
        Path inLayout = folder.dir().resolve(jar.repositoryPath());
        Path flat = folder.dir().resolve(Path.of(jar.repositoryPath()).getFileName());
        Path found = Files.isRegularFile(inLayout) ? inLayout : flat;
        if (!Files.isRegularFile(found)) {
          throw new IOException("neither " + inLayout + " nor " + flat + " exists");
        }
        copy(Files.newInputStream(found), target);
        yield found.toString();
      }
      case Source.Repository repository -> {
        URI url = URI.create(withSlash(repository.url().toString())).resolve(jar.repositoryPath());
        progress.accept("Fetching " + jar.coordinates() + " from " + url);
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
          copy(url.toURL().openStream(), target);
          yield url.toString();
        }
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
            .followRedirects(HttpClient.Redirect.NORMAL).build()) {
          HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
          if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException(url + " answered HTTP " + response.statusCode());
          }
          copy(response.body(), target);
          yield url.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while fetching " + url, e);
        }
      }
    };
  }

  private static void copy(InputStream source, Path target) throws IOException {
    try (InputStream in = source; var out = Files.newOutputStream(target)) {
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
        if (total > MAX_JAR_BYTES) {
          throw new IOException("the jar has more than " + MAX_JAR_BYTES + " bytes");
        }
        out.write(buffer, 0, n);
      }
    }
  }

  private String describe() {
    return switch (source) {
      case Source.Folder folder -> "the folder " + folder.dir();
      case Source.Repository repository -> "the repository " + repository.url();
    };
  }

  private static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }

  /** The source a build uses unless told otherwise: {@code DCR_MAVEN_REPOSITORY}, else Maven Central. */
  public static Source defaultSource(Map<String, String> environment) {
    return new Source.Repository(Optional.ofNullable(environment.get("DCR_MAVEN_REPOSITORY")).filter(s -> !s.isBlank())
        .map(URI::create).orElse(NotebookLibraries.CENTRAL));
  }
}
