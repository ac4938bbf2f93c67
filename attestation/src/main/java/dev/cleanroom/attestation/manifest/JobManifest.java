package dev.cleanroom.attestation.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What one stage-2 job ran on and produced, as the launcher inside the TEE records it. Its canonical
 * JSON ({@link #canonicalBytes()}) is hashed, and that hash ({@link #nonce()}) is the nonce the TEE's
 * token carries: the token vouches for this manifest and, through its hashes, for every file named in it.
 *
 * <p>Invariant: a manifest has exactly one serialisation. {@link #fromJson} accepts only a document whose
 * canonical form is the one this record writes (no unknown member, no other spelling of a timestamp), so
 * the hash an auditor computes is the hash the launcher computed.
 *
 * @param jobId the job bridge's id of the job
 * @param notebook sha256 of the submitted notebook the image was built from
 * @param imageDigest the OCI manifest digest of the image that ran, {@code sha256:<hex>}
 * @param inputs input object name → its commitment (HMAC-SHA256 under the dataset's secret commitment key, so
 *     that it cannot be used to test guesses of the data), as checked by the launcher before the run
 * @param outputs path in the job's output folder → sha256; the executed notebook is one of them
 * @param executedNotebook the key in {@code outputs} of the executed notebook
 * @param libraries the hash of the notebook's lock (the jars it added with {@code %maven}, kernel's
 *     {@code NotebookLock.sha256()}), which the image carries in a layer of its own; empty, and not written, when the
 *     notebook has none
 */
public record JobManifest(
    String jobId,
    Sha256 notebook,
    String imageDigest,
    SortedMap<String, Sha256> inputs,
    SortedMap<String, Sha256> outputs,
    String executedNotebook,
    Instant startedAt,
    Instant finishedAt,
    JobOutcome outcome,
    Optional<Sha256> libraries) {

  /**
   * The container variable that carries the job id into the TEE; the token attests it in
   * {@code submods.container.env}, which binds a token to one job.
   */
  public static final String JOB_ID_VARIABLE = "DCR_JOB_ID";

  /** The format tag written into every manifest; a new tag is a new canonical form. */
  public static final String FORMAT = "dcr.job-manifest/1";

  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern IMAGE_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Set<String> MEMBERS =
      Set.of("format", "jobId", "notebook", "imageDigest", "inputs", "outputs", "executedNotebook",
          "startedAt", "finishedAt", "outcome", "libraries");

  public JobManifest {
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException("'jobId' must be 1–128 of A-Z a-z 0-9 . _ - starting with a letter or digit");
    }
    if (notebook == null) {
      throw new IllegalArgumentException("'notebook' (the submitted notebook's sha256) is missing");
    }
    if (imageDigest == null || !IMAGE_DIGEST.matcher(imageDigest).matches()) {
      throw new IllegalArgumentException("'imageDigest' must be an OCI digest, sha256:<64 lower-case hex digits>");
    }
    inputs = copy(inputs, "inputs");
    outputs = copy(outputs, "outputs");
    inputs.keySet().forEach(JobManifest::requireInputName);
    outputs.keySet().forEach(JobManifest::requireOutputPath);
    if (outputs.size() > MAX_OUTPUTS) {
      throw new IllegalArgumentException("a job returns at most " + MAX_OUTPUTS + " outputs");
    }
    if (executedNotebook == null || !outputs.containsKey(executedNotebook)) {
      throw new IllegalArgumentException("'executedNotebook' must name one of the outputs");
    }
    if (startedAt == null || finishedAt == null || finishedAt.isBefore(startedAt)) {
      throw new IllegalArgumentException("'startedAt' and 'finishedAt' are needed, and the job cannot finish before it starts");
    }
    if (outcome == null) {
      throw new IllegalArgumentException("'outcome' is missing");
    }
    if (libraries == null) {
      throw new IllegalArgumentException("'libraries' must be given, empty when the notebook has none");
    }
  }

  /** A manifest of a notebook without libraries of its own. */
  public JobManifest(String jobId, Sha256 notebook, String imageDigest, Map<String, Sha256> inputs,
      Map<String, Sha256> outputs, String executedNotebook, Instant startedAt, Instant finishedAt, JobOutcome outcome) {
    this(jobId, notebook, imageDigest, inputs == null ? null : new TreeMap<>(inputs),
        outputs == null ? null : new TreeMap<>(outputs), executedNotebook, startedAt, finishedAt, outcome, Optional.empty());
  }

  /** The most files a job may return, the executed notebook and the log included. */
  public static final int MAX_OUTPUTS = 1000;
  /** The longest output path, {@code outputs/} included. */
  public static final int MAX_OUTPUT_PATH = 200;
  /**
   * An output path's parts: ASCII letters, digits, '.', '_' and '-', not starting with '.' or '-'. The notebook
   * chooses these names, so they are kept to a set that reads the same in every locale and cannot hide text: a name
   * of other bytes (another script, invalid UTF-8) is refused rather than decoded, so no two files share a key.
   */
  private static final Pattern OUTPUT_PATH_PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  /**
   * Checks that a name is a safe relative path inside a job's output folder: '/'-separated parts of the characters
   * above, at most {@value #MAX_OUTPUT_PATH} characters. The launcher refuses output names that fail this before it
   * hashes anything. The message never repeats the name: it may have been chosen to carry data.
   */
  public static void requireOutputPath(String path) {
    if (path == null || path.isEmpty() || path.length() > MAX_OUTPUT_PATH) {
      throw new IllegalArgumentException("an output path must have 1–" + MAX_OUTPUT_PATH + " characters");
    }
    for (String part : path.split("/", -1)) {
      if (!OUTPUT_PATH_PART.matcher(part).matches()) {
        throw new IllegalArgumentException("an output path must be '/'-separated parts of A–Z a–z 0–9 . _ -,"
            + " none empty or starting with '.' or '-'");
      }
    }
  }

  private static void requireInputName(String name) {
    if (name.isEmpty() || name.length() > 1024 || hasControlCharacter(name)) {
      throw new IllegalArgumentException("an input name must have 1–1024 characters and no control character");
    }
  }

  private static boolean hasControlCharacter(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  private static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }

  private static SortedMap<String, Sha256> copy(Map<String, Sha256> map, String name) {
    if (map == null) {
      throw new IllegalArgumentException("'" + name + "' is missing");
    }
    TreeMap<String, Sha256> sorted = new TreeMap<>();
    map.forEach((k, v) -> {
      if (k == null || v == null) {
        throw new IllegalArgumentException("'" + name + "' has an empty name or hash");
      }
      sorted.put(k, v);
    });
    return Collections.unmodifiableSortedMap(sorted);
  }

  /** The manifest as a JSON object (members in any order; {@link #canonicalBytes()} fixes the order). */
  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.put("format", FORMAT);
    o.put("jobId", jobId);
    o.put("notebook", notebook.hex());
    o.put("imageDigest", imageDigest);
    ObjectNode in = o.putObject("inputs");
    inputs.forEach((k, v) -> in.put(k, v.hex()));
    ObjectNode out = o.putObject("outputs");
    outputs.forEach((k, v) -> out.put(k, v.hex()));
    o.put("executedNotebook", executedNotebook);
    o.put("startedAt", startedAt.toString());
    o.put("finishedAt", finishedAt.toString());
    ObjectNode result = o.putObject("outcome");
    result.put("status", outcome.status().code());
    result.put("reason", outcome.reason());
    // Written only when there are libraries, so that the manifests of notebooks without keep their bytes.
    libraries.ifPresent(lock -> o.put("libraries", lock.hex()));
    return o;
  }

  /** The canonical UTF-8 bytes: what {@code manifest.json} holds and what the nonce hashes. */
  public byte[] canonicalBytes() {
    return CanonicalJson.serialize(toJson());
  }

  /** sha256 of the canonical manifest: the nonce the TEE's token must carry. */
  public Sha256 nonce() {
    return Sha256.of(canonicalBytes());
  }

  /** Reads a manifest, refusing any document that is not exactly this format's canonical content. */
  public static JobManifest fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("a manifest must be a JSON object");
    }
    for (String name : (Iterable<String>) json::fieldNames) {
      if (!MEMBERS.contains(name)) {
        throw new IllegalArgumentException("unknown manifest member '" + printable(name) + "'");
      }
    }
    String format = CanonicalJson.text(json, "format");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException("manifest format '" + printable(format) + "' is not " + FORMAT);
    }
    JsonNode result = json.get("outcome");
    if (result == null || !result.isObject() || result.size() != 2) {
      throw new IllegalArgumentException("'outcome' must be an object with 'status' and 'reason'");
    }
    JobManifest manifest;
    try {
      manifest =
          new JobManifest(
              CanonicalJson.text(json, "jobId"),
              new Sha256(CanonicalJson.text(json, "notebook")),
              CanonicalJson.text(json, "imageDigest"),
              hashes(json, "inputs"),
              hashes(json, "outputs"),
              CanonicalJson.text(json, "executedNotebook"),
              Instant.parse(CanonicalJson.text(json, "startedAt")),
              Instant.parse(CanonicalJson.text(json, "finishedAt")),
              new JobOutcome(
                  JobOutcome.Status.ofCode(CanonicalJson.text(result, "status")),
                  CanonicalJson.text(result, "reason")),
              json.has("libraries") ? Optional.of(new Sha256(CanonicalJson.text(json, "libraries"))) : Optional.empty());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'startedAt' and 'finishedAt' must be ISO-8601 UTC instants");
    }
    if (!manifest.toJson().equals(json)) {
      throw new IllegalArgumentException("manifest is not in canonical form (a timestamp or hash is spelled differently)");
    }
    return manifest;
  }

  /** Reads a manifest from JSON bytes, such as {@code manifest.json}. */
  public static JobManifest fromJson(byte[] json) {
    return fromJson(CanonicalJson.parse(json));
  }

  private static SortedMap<String, Sha256> hashes(JsonNode json, String name) {
    TreeMap<String, Sha256> out = new TreeMap<>();
    CanonicalJson.textMap(json, name).forEach((k, v) -> out.put(k, new Sha256(v)));
    return out;
  }
}
