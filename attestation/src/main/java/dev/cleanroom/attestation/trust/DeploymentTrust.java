package dev.cleanroom.attestation.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A deployment's trust file: what a provider publishes so that an auditor can tell a report of this deployment
 * from a genuine report of anyone else's. A Confidential Space token proves that some VM ran some image; only
 * these values say whose VM (project, workload service account), which images (repositories, digests), for whom
 * (the deployment's own audience) and on which data (the providers' input commitments).
 *
 * <p>Invariant: every member is required and non-empty except {@code imageDigests} (empty: any image of the
 * repositories) and {@code simulatorJwks} (only a simulated deployment has one); a document with any other member
 * is refused, so a misspelt member cannot silently loosen a check.
 *
 * @param deployment a name for people, such as {@code acme-cleanroom}
 * @param audience the {@code aud} this deployment's TEEs ask their tokens for
 * @param projectId {@code submods.gce.project_id} of the project the TEEs run in
 * @param projectNumber {@code submods.gce.project_number}, as Google writes it (a string of digits)
 * @param serviceAccounts the workload service accounts; a token naming any other is refused
 * @param imageRepositories where the deployment's images live ({@code us-docker.pkg.dev/p/jobs}); a token's
 *     {@code image_reference} must be in one of them
 * @param imageDigests the only image digests accepted, when the provider lists them
 * @param inputs input name ({@code insurance/real.csv}) → the commitment the provider published for it
 * @param simulatorJwks a simulated deployment's signing keys: its simulator is its only issuer
 */
public record DeploymentTrust(
    String deployment,
    String audience,
    String projectId,
    String projectNumber,
    List<String> serviceAccounts,
    List<String> imageRepositories,
    List<String> imageDigests,
    SortedMap<String, Sha256> inputs,
    Optional<ArchivedJwks> simulatorJwks) {

  public static final String FORMAT = "dcr.deployment-trust/1";
  /** The file name a deployment publishes its trust file under (the bridge serves it; {@code ./dcr} writes it). */
  public static final String FILE_NAME = "trust.json";

  private static final Set<String> MEMBERS = Set.of("format", "deployment", "audience", "gce", "serviceAccounts",
      "images", "inputs", "simulatorJwks");

  public DeploymentTrust {
    requireText(deployment, "deployment");
    requireText(audience, "audience");
    requireText(projectId, "gce.projectId");
    requireText(projectNumber, "gce.projectNumber");
    serviceAccounts = nonEmpty(serviceAccounts, "serviceAccounts");
    imageRepositories = nonEmpty(imageRepositories, "images.repositories");
    for (String repository : imageRepositories) {
      if (repository.contains("@") || repository.endsWith("/")) {
        throw new IllegalArgumentException("an image repository is a name without tag, digest or trailing '/', not '"
            + repository + "'");
      }
    }
    imageDigests = List.copyOf(imageDigests == null ? List.of() : imageDigests);
    for (String digest : imageDigests) {
      Sha256.ofOciDigest(digest);
    }
    inputs = Collections.unmodifiableSortedMap(new TreeMap<>(inputs == null ? Map.of() : inputs));
    simulatorJwks = simulatorJwks == null ? Optional.empty() : simulatorJwks;
  }

  /**
   * Whether {@code reference} (a token's {@code image_reference}, such as {@code REPO/job-42@sha256:...} or
   * {@code REPO:tag}) names an image in one of the repositories. A repository matches whole: {@code .../jobs} does
   * not admit {@code .../jobs-evil/...}.
   */
  public boolean allowsImageReference(String reference) {
    for (String repository : imageRepositories) {
      if (reference.length() > repository.length() + 1 && reference.startsWith(repository)
          && "/@:".indexOf(reference.charAt(repository.length())) >= 0) {
        return true;
      }
    }
    return false;
  }

  public ObjectNode toJson() {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("format", FORMAT);
    o.put("deployment", deployment);
    o.put("audience", audience);
    o.putObject("gce").put("projectId", projectId).put("projectNumber", projectNumber);
    serviceAccounts.forEach(o.putArray("serviceAccounts")::add);
    ObjectNode images = o.putObject("images");
    imageRepositories.forEach(images.putArray("repositories")::add);
    imageDigests.forEach(images.putArray("digests")::add);
    ObjectNode in = o.putObject("inputs");
    inputs.forEach((name, commitment) -> in.put(name, commitment.hex()));
    simulatorJwks.ifPresent(k -> o.set("simulatorJwks", CanonicalJson.parse(k.json().getBytes(StandardCharsets.UTF_8))));
    return o;
  }

  public byte[] toBytes() {
    return CanonicalJson.pretty(toJson());
  }

  /** Writes the file through a temporary sibling, so a reader never sees half of it. */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, toBytes());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads a trust file; {@code invalid_trust_file} says what is wrong with it. */
  public static DeploymentTrust read(Path file) throws IOException {
    return parse(Files.readAllBytes(file), "file " + file.toAbsolutePath());
  }

  /** Parses a trust file's bytes; {@code source} names where they came from in messages and in the simulator's keys. */
  public static DeploymentTrust parse(byte[] json, String source) {
    try {
      JsonNode o = CanonicalJson.parse(json);
      if (!o.isObject()) {
        throw new IllegalArgumentException("a trust file is a JSON object");
      }
      for (String name : (Iterable<String>) o::fieldNames) {
        if (!MEMBERS.contains(name)) {
          throw new IllegalArgumentException("unknown member '" + name + "'");
        }
      }
      if (!FORMAT.equals(o.path("format").asText())) {
        throw new IllegalArgumentException("format is not " + FORMAT);
      }
      SortedMap<String, Sha256> inputs = new TreeMap<>();
      JsonNode in = o.path("inputs");
      if (!in.isMissingNode() && !in.isObject()) {
        throw new IllegalArgumentException("'inputs' maps input names to commitments");
      }
      in.fields().forEachRemaining(e -> inputs.put(e.getKey(), new Sha256(e.getValue().asText())));
      Optional<ArchivedJwks> simulatorJwks = o.has("simulatorJwks")
          ? Optional.of(new ArchivedJwks(o.get("simulatorJwks").toString(), "", "the trust file (" + source + ")", Instant.EPOCH))
          : Optional.empty();
      return new DeploymentTrust(o.path("deployment").asText(""), o.path("audience").asText(""),
          o.path("gce").path("projectId").asText(""), o.path("gce").path("projectNumber").asText(""),
          texts(o.path("serviceAccounts")), texts(o.path("images").path("repositories")),
          texts(o.path("images").path("digests")), inputs, simulatorJwks);
    } catch (IllegalArgumentException | AttestationException e) {
      throw new AttestationException("invalid_trust_file", "the trust file (" + source + ") is not valid: " + e.getMessage()
          + "; ask the deployment's provider for its " + FILE_NAME);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(e -> out.add(e.asText()));
    }
    return out;
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("'" + name + "' is required");
    }
  }

  private static List<String> nonEmpty(List<String> values, String name) {
    if (values == null || values.isEmpty() || values.stream().anyMatch(v -> v == null || v.isBlank())) {
      throw new IllegalArgumentException("'" + name + "' needs at least one non-empty entry");
    }
    return List.copyOf(values);
  }
}
