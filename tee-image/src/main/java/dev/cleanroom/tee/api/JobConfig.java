package dev.cleanroom.tee.api;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.token.TokenRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One job as the launcher inside the image takes it, through environment variables (on Confidential
 * Space: {@code tee-env-*} metadata, allowed by the image's {@link LaunchPolicy}). The token's
 * {@code submods.container.env} attests the values the job ran with.
 *
 * @param jobId the job bridge's id, copied into the manifest
 * @param audience the token's {@code aud}: who the attestation is for (the job bridge)
 * @param inputs every input object the job may read, by its name under the input folder
 *     ({@code insurance/real.csv}, and each dataset's {@code commitment.key}), with the commitment the job expects
 *     (HMAC-SHA256 under the dataset's key, as its provider published it; the token attests this list, so it must
 *     never be a bare sha256 of the rows); the launcher refuses any other file, and any other content
 * @param cellTimeout how long one cell may run
 * @param totalTimeout how long the whole notebook may run
 * @param maxOutputBytes the most bytes the outputs (executed notebook and log included) may total
 */
public record JobConfig(String jobId, String audience, SortedMap<String, Sha256> inputs, Duration cellTimeout,
    Duration totalTimeout, long maxOutputBytes) {
  public static final String JOB_ID = JobManifest.JOB_ID_VARIABLE;
  public static final String AUDIENCE = "DCR_AUDIENCE";
  public static final String INPUTS = "DCR_INPUTS";
  public static final String CELL_TIMEOUT = "DCR_CELL_TIMEOUT_SECONDS";
  public static final String TIMEOUT = "DCR_TIMEOUT_SECONDS";
  public static final String MAX_OUTPUT_BYTES = "DCR_MAX_OUTPUT_BYTES";
  /**
   * A signed URL of the job plan (where each input is, where the job folder goes), set by a TEE platform
   * whose VM has no mounts (Confidential Space); not part of the job itself, so not a component: the
   * launcher reads it directly and checks every input the plan names against {@link #inputs}.
   */
  public static final String JOB_PLAN_URL = "DCR_JOB_PLAN_URL";
  /** Every variable the launcher reads; the launch policy allows no other. */
  public static final List<String> VARIABLES = List.of(JOB_ID, AUDIENCE, INPUTS, CELL_TIMEOUT, TIMEOUT, MAX_OUTPUT_BYTES,
      JOB_PLAN_URL);

  public static final Duration DEFAULT_CELL_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
  public static final long DEFAULT_MAX_OUTPUT_BYTES = 100L * 1024 * 1024;

  public JobConfig {
    requireManifestRules(jobId, inputs);
    try {
      TokenRequest.oidc(audience, "0".repeat(64));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid audience: " + e.getMessage(), e);
    }
    inputs.keySet().forEach(JobConfig::requireInputName);
    if (cellTimeout == null || totalTimeout == null || cellTimeout.isNegative() || cellTimeout.isZero()
        || totalTimeout.isNegative() || totalTimeout.isZero()) {
      throw new IllegalArgumentException("the timeouts must be positive");
    }
    if (maxOutputBytes <= 0) {
      throw new IllegalArgumentException("the output limit must be positive");
    }
    inputs = Collections.unmodifiableSortedMap(new TreeMap<>(inputs));
  }

  /** An input's name: a safe relative path (the output paths' rules), without the list's ',' and '='. */
  static void requireInputName(String name) {
    JobManifest.requireOutputPath(name);
    if (name.contains(",") || name.contains("=")) {
      throw new IllegalArgumentException("input name '" + name + "' may not contain ',' or '='");
    }
  }

  /**
   * Applies the manifest's rules for job ids and input names here, so that a job the launcher accepts
   * always makes a valid manifest (JobManifest keeps its id rule private; a throw-away manifest applies it).
   */
  private static void requireManifestRules(String jobId, Map<String, Sha256> inputs) {
    Sha256 zero = new Sha256("0".repeat(64));
    try {
      new JobManifest(jobId, zero, zero.ociDigest(), inputs == null ? null : new TreeMap<>(inputs), new TreeMap<>(Map.of("x", zero)), "x", Instant.EPOCH, Instant.EPOCH,
          JobOutcome.succeeded());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid job: " + e.getMessage(), e);
    }
  }

  /** A job with the default audience, timeouts and output limit. */
  public static JobConfig of(String jobId, Map<String, Sha256> inputs) {
    return new JobConfig(jobId, TokenRequest.DEFAULT_AUDIENCE, new TreeMap<>(inputs), DEFAULT_CELL_TIMEOUT,
        DEFAULT_TIMEOUT, DEFAULT_MAX_OUTPUT_BYTES);
  }

  public JobConfig withTimeouts(Duration cell, Duration total) {
    return new JobConfig(jobId, audience, inputs, cell, total, maxOutputBytes);
  }

  public JobConfig withMaxOutputBytes(long value) {
    return new JobConfig(jobId, audience, inputs, cellTimeout, totalTimeout, value);
  }

  public JobConfig withAudience(String value) {
    return new JobConfig(jobId, value, inputs, cellTimeout, totalTimeout, maxOutputBytes);
  }

  /** The variables that carry this job, as the launcher reads them. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(JOB_ID, jobId);
    env.put(AUDIENCE, audience);
    env.put(INPUTS, ApprovedInputs.of(inputs).toList());
    env.put(CELL_TIMEOUT, Long.toString(cellTimeout.toSeconds()));
    env.put(TIMEOUT, Long.toString(totalTimeout.toSeconds()));
    env.put(MAX_OUTPUT_BYTES, Long.toString(maxOutputBytes));
    return env;
  }

  /** Reads a job from the launcher's environment; only {@link #JOB_ID} is required. */
  public static JobConfig fromEnvironment(Map<String, String> env) {
    String jobId = env.get(JOB_ID);
    if (jobId == null || jobId.isBlank()) {
      throw new IllegalArgumentException(JOB_ID + " is not set: the job bridge names the job");
    }
    return new JobConfig(jobId, env.getOrDefault(AUDIENCE, TokenRequest.DEFAULT_AUDIENCE),
        parseInputs(env.getOrDefault(INPUTS, ""), INPUTS),
        Duration.ofSeconds(number(env, CELL_TIMEOUT, DEFAULT_CELL_TIMEOUT.toSeconds())),
        Duration.ofSeconds(number(env, TIMEOUT, DEFAULT_TIMEOUT.toSeconds())),
        number(env, MAX_OUTPUT_BYTES, DEFAULT_MAX_OUTPUT_BYTES));
  }

  /**
   * Reads an input list as {@link #INPUTS} spells it ({@code name=commitment,...}); {@code what} names the list in
   * messages.
   */
  static SortedMap<String, Sha256> parseInputs(String text, String what) {
    SortedMap<String, Sha256> inputs = new TreeMap<>();
    String list = text.strip();
    for (String item : list.isEmpty() ? new String[0] : list.split(",")) {
      String[] pair = item.split("=", 2);
      if (pair.length != 2) {
        throw new IllegalArgumentException(what + " must be name=commitment pairs separated by commas");
      }
      try {
        if (inputs.put(pair[0].strip(), new Sha256(pair[1].strip())) != null) {
          throw new IllegalArgumentException(what + " names '" + pair[0].strip() + "' twice");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": '" + pair[0].strip() + "': " + e.getMessage(), e);
      }
    }
    return inputs;
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
    }
  }
}
