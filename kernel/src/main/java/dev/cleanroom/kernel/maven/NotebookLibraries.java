package dev.cleanroom.kernel.maven;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * A notebook's own libraries ({@code %maven}): resolves Maven coordinates and their runtime dependencies with
 * Maven's own resolver from one repository (Maven Central, or the deployment's mirror), and says which of the
 * resolved jars the kernel's bundle already holds in another version.
 *
 * <p>Invariant: a jar whose group:artifact the bundle holds is never returned to be added: the bundle sits on the
 * class loader JShell's loader asks first, so an added copy would never be used, only seem to be.
 */
public final class NotebookLibraries {
  /** Maven Central, where libraries come from unless the deployment names a mirror. */
  public static final URI CENTRAL = URI.create("https://repo.maven.apache.org/maven2/");

  /** One jar of the lock: where it comes from and what its bytes are. */
  public record Jar(String coordinates, Path file, String sha256) {}

  /** A resolved library the bundle holds in another version: the bundle's is the one cells see. */
  public record Conflict(String requested, String bundledVersion) {
    public String describe() {
      return requested + " (the kernel's bundle has version " + bundledVersion + ", which cells use)";
    }
  }

  /** What one {@code %maven} gave: the jars to add, and those the bundle already holds (same or other version). */
  public record Resolution(List<Jar> jars, List<String> alreadyBundled, List<Conflict> conflicts) {}

  /** A {@code %maven} that could not resolve; the message says what failed and what to do. */
  public static final class ResolutionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ResolutionException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final RepositorySystem system;
  private final RemoteRepository repository;
  private final Path localRepository;
  private final Map<String, String> bundle;

  /**
   * @param repository the Maven repository to resolve from (a URL in the Maven 2 layout, {@code https:} or
   *     {@code file:})
   * @param localRepository where downloaded jars are kept, so a second {@code %maven} of them is offline
   * @param bundle the kernel's bundled libraries, group:artifact → version ({@link #bundleOf})
   */
  public NotebookLibraries(URI repository, Path localRepository, Map<String, String> bundle) {
    this.system = new RepositorySystemSupplier().get();
    // Checksums are checked, not only warned about: the lock records what these bytes are.
    this.repository = new RemoteRepository.Builder("dcr-notebook-libraries", "default", repository.toString())
        .setPolicy(new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_DAILY, RepositoryPolicy.CHECKSUM_POLICY_FAIL))
        .build();
    this.localRepository = localRepository;
    this.bundle = Map.copyOf(bundle);
  }

  /**
   * The repository from {@code DCR_MAVEN_REPOSITORY} (else Maven Central), the local repository from
   * {@code DCR_MAVEN_LOCAL_REPOSITORY} (else {@code ~/.m2/repository}), the bundle from this JVM's class path.
   */
  public static NotebookLibraries fromEnvironment(Map<String, String> environment) {
    String url = environment.getOrDefault("DCR_MAVEN_REPOSITORY", "");
    String local = environment.getOrDefault("DCR_MAVEN_LOCAL_REPOSITORY", "");
    return new NotebookLibraries(url.isBlank() ? CENTRAL : URI.create(url),
        local.isBlank() ? Path.of(System.getProperty("user.home"), ".m2", "repository") : Path.of(local),
        bundleOf(System.getProperty("java.class.path")));
  }

  public URI repository() {
    return URI.create(repository.getUrl());
  }

  /**
   * Resolves coordinates ({@code group:artifact:version}, or {@code group:artifact:extension[:classifier]:version})
   * and their runtime dependencies.
   *
   * @param progress told of each download as it starts and ends
   */
  public Resolution resolve(List<String> coordinates, Consumer<String> progress) {
    CollectRequest collect = new CollectRequest();
    for (String coordinate : coordinates) {
      try {
        collect.addDependency(new Dependency(new DefaultArtifact(coordinate), JavaScopes.RUNTIME));
      } catch (IllegalArgumentException e) {
        throw new ResolutionException("'" + coordinate + "' is not Maven coordinates; write group:artifact:version,"
            + " such as org.apache.commons:commons-math3:3.6.1", e);
      }
    }
    collect.setRepositories(List.of(repository));
    progress.accept("Resolving " + String.join(" ", coordinates) + " from " + repository.getUrl());
    DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
    session.setLocalRepositoryManager(system.newLocalRepositoryManager(session,
        new LocalRepository(localRepository.toFile())));
    session.setTransferListener(new Progress(progress));
    // POM profiles activated by the JDK or OS are evaluated against the kernel's own JVM.
    session.setSystemProperties(System.getProperties());
    List<ArtifactResult> results;
    try {
      results = system.resolveDependencies(session,
          new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME))).getArtifactResults();
    } catch (DependencyResolutionException e) {
      throw new ResolutionException("Tried to resolve " + String.join(" ", coordinates) + " from " + repository.getUrl()
          + " but failed because: " + e.getMessage() + ". Check the coordinates (search.maven.org lists them) and that"
          + " the repository is reachable from the kernel (DCR_MAVEN_REPOSITORY names a mirror).", e);
    }
    List<Jar> jars = new ArrayList<>();
    List<String> alreadyBundled = new ArrayList<>();
    List<Conflict> conflicts = new ArrayList<>();
    for (ArtifactResult result : results) {
      Artifact artifact = result.getArtifact();
      String bundled = bundle.get(artifact.getGroupId() + ":" + artifact.getArtifactId());
      if (bundled == null) {
        jars.add(new Jar(artifact.toString(), artifact.getFile().toPath(), sha256(artifact.getFile().toPath())));
      } else if (bundled.equals(artifact.getBaseVersion())) {
        alreadyBundled.add(artifact.toString());
      } else {
        conflicts.add(new Conflict(artifact.toString(), bundled));
      }
    }
    return new Resolution(List.copyOf(jars), List.copyOf(alreadyBundled), List.copyOf(conflicts));
  }

  /**
   * The Maven libraries on a class path, group:artifact → version, read from the {@code pom.properties} Maven
   * writes into each jar it builds. A jar without one (not built by Maven) cannot conflict by name and is left out.
   */
  public static Map<String, String> bundleOf(String classPath) {
    Map<String, String> bundle = new TreeMap<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (!entry.endsWith(".jar") || !Files.isRegularFile(path)) {
        continue;
      }
      try (JarFile jar = new JarFile(path.toFile())) {
        for (ZipEntry zip : jar.stream().filter(e -> e.getName().startsWith("META-INF/maven/")
            && e.getName().endsWith("/pom.properties")).toList()) {
          Properties properties = new Properties();
          try (InputStream in = jar.getInputStream(zip)) {
            properties.load(in);
          }
          String group = properties.getProperty("groupId");
          String artifact = properties.getProperty("artifactId");
          String version = properties.getProperty("version");
          if (group != null && artifact != null && version != null) {
            bundle.put(group + ":" + artifact, version);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Tried to read the kernel's bundled jar " + path + " but failed because: " + e
            + "; the kernel's installation is damaged, reinstall it.", e);
      }
    }
    return bundle;
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("Tried to hash " + file + " but failed because: " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }

  /** One line as each download starts and one as it ends, with its size and time; nothing for cached files. */
  private static final class Progress extends AbstractTransferListener {
    private final Consumer<String> out;
    private final Map<String, Long> started = new LinkedHashMap<>();

    Progress(Consumer<String> out) {
      this.out = out;
    }

    @Override
    public void transferStarted(TransferEvent event) {
      if (isChecksum(event)) {
        return;
      }
      started.put(name(event), System.nanoTime());
      out.accept("Downloading " + name(event) + " ...");
    }

    @Override
    public void transferSucceeded(TransferEvent event) {
      if (isChecksum(event)) {
        return;
      }
      long nanos = System.nanoTime() - started.getOrDefault(name(event), System.nanoTime());
      long bytes = event.getTransferredBytes();
      out.accept(String.format("Downloaded  %s (%,d KB in %.1f s)", name(event), (bytes + 1023) / 1024, nanos / 1e9));
    }

    @Override
    public void transferFailed(TransferEvent event) {
      // A missing optional file (a checksum in another algorithm, say) is normal; the resolver reports real failures.
      if (event.getResource().getResourceName().endsWith(".jar")) {
        out.accept("Failed      " + name(event) + ": " + event.getException().getMessage());
      }
    }

    private static boolean isChecksum(TransferEvent event) {
      return event.getResource().getResourceName().matches(".*\\.(sha1|md5|sha256|sha512)$");
    }

    /** The path in the repository; the repository itself is in the lock. */
    private static String name(TransferEvent event) {
      return event.getResource().getResourceName();
    }
  }
}
