package dev.cleanroom.bridge.job;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Job ids: {@code job-} and 16 lower-case base-32 characters (80 random bits), e.g. {@code job-k3v9x2m4q7b1c8d5}.
 * They appear in URLs, storage keys, file names and the attestation manifest, so the format admits nothing
 * that could mean something there ({@code /}, {@code .}, quotes).
 */
public final class JobId {
  /** What the API accepts as a job id; anything else is refused before it reaches storage or the database. */
  public static final Pattern PATTERN = Pattern.compile("job-[a-z2-7]{16}");
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private JobId() {}

  public static String generate() {
    StringBuilder id = new StringBuilder("job-");
    for (int i = 0; i < 16; i++) {
      id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return id.toString();
  }

  public static boolean isValid(String id) {
    return id != null && PATTERN.matcher(id).matches();
  }
}
