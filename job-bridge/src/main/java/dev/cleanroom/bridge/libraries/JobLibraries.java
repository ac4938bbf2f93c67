package dev.cleanroom.bridge.libraries;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.kernel.maven.NotebookLock.LockedJar;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * A job's own libraries as the bridge sees them: the jars the notebook's lock names, for the provider's review (each
 * with its licence from its POM where the POM states one, and whether this deployment has built an image with it
 * before), and the dataset policies' rule on them, which the bridge applies before anyone reviews the job.
 *
 * <p>Invariant: nothing here decides what enters an image; the image build fetches and checks the jars by the lock's
 * sha256. A POM is read as data only: no DOCTYPE, no external entity.
 */
public final class JobLibraries {
  /** One jar for the reviewer. {@code licence} is empty where the POM states none or could not be read. */
  public record Library(String coordinates, String sha256, Optional<String> licence, boolean newToDeployment) {}

  /** How many jars a refusal names; the rest are counted. */
  private static final int NAMED_JARS = 10;
  private static final int MAX_POM_BYTES = 1 << 20;

  private final URI repository;
  private final Path jarCache;
  private final Map<String, Optional<String>> licences = new ConcurrentHashMap<>();

  /**
   * @param repository the Maven repository the deployment fetches libraries from (its POMs state the licences)
   * @param jarCache the content-addressed cache of jars the deployment's image builds took ({@code <sha256>.jar})
   */
  public JobLibraries(URI repository, Path jarCache) {
    this.repository = URI.create(repository.toString().endsWith("/") ? repository.toString() : repository + "/");
    this.jarCache = jarCache;
  }

  /**
   * The notebook's lock.
   *
   * @throws BridgeException {@code invalid_notebook} (400) when a lock output is malformed, saying how
   */
  public static NotebookLock lock(byte[] notebook) {
    try {
      return NotebookLock.of(notebook);
    } catch (IllegalArgumentException e) {
      throw new BridgeException("invalid_notebook", 400, "The notebook's %maven lock cannot be used: " + e.getMessage());
    }
  }

  /**
   * Refuses a lock that the policy of a dataset the job reads forbids: every jar of a group that policy does not allow.
   *
   * @throws BridgeException {@code libraries_refused} (422) naming the dataset and the jars, and what to do
   */
  public static void requireAllowed(NotebookLock lock, Map<String, DatasetPolicy> policies) {
    for (Map.Entry<String, DatasetPolicy> dataset : policies.entrySet()) {
      List<String> refused = lock.jars().stream().filter(jar -> !dataset.getValue().allowsLibraryGroup(jar.groupId()))
          .map(LockedJar::coordinates).toList();
      if (refused.isEmpty()) {
        continue;
      }
      List<String> allowed = dataset.getValue().allowedLibraryGroups().orElse(List.of());
      String named = String.join(", ", refused.stream().limit(NAMED_JARS).toList())
          + (refused.size() > NAMED_JARS ? " and " + (refused.size() - NAMED_JARS) + " more" : "");
      throw new BridgeException("libraries_refused", 422, "The policy of dataset " + dataset.getKey()
          + (allowed.isEmpty() ? " allows no libraries of a notebook's own (%maven)"
              : " allows a notebook's own libraries (%maven) only from the groups " + String.join(", ", allowed))
          + "; this notebook's lock has " + named + ". Remove those %maven cells (or use the bundled libraries),"
          + " save the notebook, and submit it again, or ask the dataset's provider to allow them.");
    }
  }

  /** Every jar of the lock for the review view, in the lock's order. */
  public List<Library> review(NotebookLock lock) {
    List<Library> libraries = new ArrayList<>();
    for (LockedJar jar : lock.jars()) {
      boolean built = Files.isRegularFile(jarCache.resolve(jar.sha256() + ".jar"));
      libraries.add(new Library(jar.coordinates(), jar.sha256(),
          licences.computeIfAbsent(jar.pomPath(), this::licence), !built));
    }
    return libraries;
  }

  /** The licence names the POM states ({@code project/licenses/license/name}), joined; empty if none or unreadable. */
  private Optional<String> licence(String pomPath) {
    try {
      byte[] pom = fetch(repository.resolve(pomPath));
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(false);
      Element project = factory.newDocumentBuilder().parse(new ByteArrayInputStream(pom)).getDocumentElement();
      List<String> names = new ArrayList<>();
      for (Element licenses : children(project, "licenses")) {
        for (Element license : children(licenses, "license")) {
          children(license, "name").forEach(name -> names.add(name.getTextContent().strip()));
        }
      }
      return names.isEmpty() ? Optional.empty() : Optional.of(String.join(" / ", names));
    } catch (Exception e) {
      // No POM, an unreachable repository or a POM that is not XML: the reviewer sees "not stated".
      return Optional.empty();
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE && nodes.item(i).getNodeName().equals(name)) {
        found.add((Element) nodes.item(i));
      }
    }
    return found;
  }

  private static byte[] fetch(URI url) throws IOException, InterruptedException {
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      try (InputStream in = url.toURL().openStream()) {
        return limited(in);
      }
    }
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build()) {
      HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          throw new IOException(url + " answered HTTP " + response.statusCode());
        }
        return limited(in);
      }
    }
  }

  private static byte[] limited(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_POM_BYTES + 1);
    if (bytes.length > MAX_POM_BYTES) {
      throw new IOException("the POM has more than " + MAX_POM_BYTES + " bytes");
    }
    return bytes;
  }
}
