package dev.cleanroom.tee.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where a job's inputs are and where its job folder goes when nothing is mounted into the container (Confidential
 * Space): a JSON document the TEE platform writes and names by a signed URL in {@code DCR_JOB_PLAN_URL}.
 *
 * <pre>
 * {"inputs": {
 *    "insurance/policy.yaml": {"url": "https://...signed GET...", "sha256": "..."},
 *    "insurance/real.csv": {"url": "gs://BUCKET/OBJECT", "sha256": "...",
 *        "identityProvider": "//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X",
 *        "serviceAccount": "reader@project.iam.gserviceaccount.com"}},
 *  "result": {"url": "https://...signed PUT of the job folder's zip..."}}
 * </pre>
 *
 * <p>Invariant: every URL is {@code https} (or {@code http} to a loopback address: an emulator in tests), or for an
 * input {@code gs://} with the identity provider to read it through. The plan is not trusted for content: the
 * launcher checks every input against the job's own sha256 ({@code DCR_INPUTS}, which the token attests).
 */
record JobPlan(SortedMap<String, Source> inputs, URI result) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One input's source.
   *
   * @param url a signed https URL, or {@code gs://bucket/object}
   * @param identityProvider for {@code gs://}: the pool provider whose federated token reads it
   * @param serviceAccount for {@code gs://}: a service account to act as, when the provider grants access to one
   */
  record Source(URI url, Sha256 sha256, Optional<String> identityProvider, Optional<String> serviceAccount) {
    boolean inCloudStorage() {
      return "gs".equals(url.getScheme());
    }
  }

  JobPlan {
    inputs = Collections.unmodifiableSortedMap(new TreeMap<>(inputs));
  }

  /** Reads a plan; messages name inputs and fields, never a URL (signed URLs are credentials). */
  static JobPlan parse(byte[] json) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IOException("the job plan is not JSON");
    }
    if (root == null || !root.path("inputs").isObject() || !root.path("result").isObject()) {
      throw new IOException("the job plan needs an object 'inputs' and an object 'result'");
    }
    SortedMap<String, Source> inputs = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("inputs").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> input = it.next();
      String name = input.getKey();
      JsonNode entry = input.getValue();
      URI url = url(entry, "input '" + name + "'", true);
      Sha256 sha;
      try {
        sha = new Sha256(entry.path("sha256").asText(""));
      } catch (IllegalArgumentException e) {
        throw new IOException("input '" + name + "' of the job plan has no valid sha256");
      }
      Optional<String> provider = text(entry, "identityProvider");
      if ("gs".equals(url.getScheme()) && provider.isEmpty()) {
        throw new IOException("input '" + name + "' of the job plan is in Cloud Storage but names no identityProvider to read it through");
      }
      inputs.put(name, new Source(url, sha, provider, text(entry, "serviceAccount")));
    }
    return new JobPlan(inputs, url(root.get("result"), "the result", false));
  }

  /** The plan's inputs are exactly the job's, with the job's sha256; else why not. */
  Optional<String> mismatch(SortedMap<String, Sha256> expected) {
    for (String name : expected.keySet()) {
      if (!inputs.containsKey(name)) {
        return Optional.of("the job plan has no source for input '" + name + "'");
      }
      if (!inputs.get(name).sha256().equals(expected.get(name))) {
        return Optional.of("the job plan's sha256 of input '" + name + "' is not the job's");
      }
    }
    return inputs.keySet().stream().filter(name -> !expected.containsKey(name)).findFirst()
        .map(name -> "the job plan names input '" + name + "', which the job does not list");
  }

  private static URI url(JsonNode entry, String what, boolean cloudStorage) throws IOException {
    return url(entry.path("url").asText(""), what + " of the job plan", cloudStorage);
  }

  /**
   * {@code text} as a URL the launcher may use: https, http to a loopback address, or (when {@code cloudStorage})
   * {@code gs://BUCKET/OBJECT}; else an exception naming {@code what}, never the text.
   */
  static URI url(String text, String what, boolean cloudStorage) throws IOException {
    URI url;
    try {
      url = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IOException(what + " has no valid url");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme();
    boolean ok = switch (scheme) {
      case "https" -> url.getHost() != null;
      case "http" -> loopback(url.getHost());
      case "gs" -> cloudStorage && url.getHost() != null && url.getPath() != null && url.getPath().length() > 1;
      default -> false;
    };
    if (!ok) {
      throw new IOException(what + " is not at an https URL" + (cloudStorage ? " or gs://BUCKET/OBJECT" : ""));
    }
    return url;
  }

  private static boolean loopback(String host) {
    try {
      return host != null && InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Optional<String> text(JsonNode entry, String field) {
    JsonNode value = entry.get(field);
    return value == null || !value.isTextual() || value.asText().isBlank() ? Optional.empty() : Optional.of(value.asText());
  }
}
