package dev.cleanroom.bridge.gcp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Compute Engine name of a job's VM, derived from the job id alone so that every launch of the same job
 * asks for the same name and Compute Engine's one-name-per-zone rule makes a second VM impossible.
 *
 * <p>A job id that is already a valid name part, as the bridge's {@code job-<16 base-32>} ids are, is kept as it
 * is ({@code dcr-job-k3v9x2m4q7b1c8d5}, readable in the console); any other id is
 * reduced to lower-case letters, digits and dashes and suffixed with a hash of the original, so that two ids
 * that reduce alike still get different names.
 */
final class InstanceNames {
  static final String PREFIX = "dcr-";

  private static final int MAX_NAME = 63;
  private static final int HASH_CHARS = 10;
  private static final Pattern PLAIN = Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?");

  private InstanceNames() {}

  static String forJob(String jobId) {
    if (jobId.isEmpty()) {
      throw new IllegalArgumentException("a job id is empty");
    }
    if (PLAIN.matcher(jobId).matches() && PREFIX.length() + jobId.length() <= MAX_NAME) {
      return PREFIX + jobId;
    }
    String slug = jobId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    int room = MAX_NAME - PREFIX.length() - HASH_CHARS - 1;
    slug = slug.substring(0, Math.min(slug.length(), room)).replaceAll("^-+|-+$", "");
    String hash = sha256Hex(jobId).substring(0, HASH_CHARS);
    return PREFIX + (slug.isEmpty() ? hash : slug + "-" + hash);
  }

  /** The label value that marks the job's VM: the part of the name after the prefix (labels allow the same). */
  static String label(String jobId) {
    return forJob(jobId).substring(PREFIX.length());
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
