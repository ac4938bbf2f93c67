package dev.cleanroom.attestation.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A SHA-256 digest, always written as 64 lower-case hex digits: the one form of hashes in manifests and nonces. */
public record Sha256(String hex) implements Comparable<Sha256> {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final String OCI_PREFIX = "sha256:";

  public Sha256 {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a sha256 digest (64 lower-case hex digits)");
    }
  }

  public static Sha256 of(byte[] bytes) {
    return new Sha256(HexFormat.of().formatHex(digest().digest(bytes)));
  }

  public static Sha256 of(Path file) throws IOException {
    MessageDigest digest = digest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return new Sha256(HexFormat.of().formatHex(digest.digest()));
  }

  /** Reads an OCI digest ({@code sha256:<hex>}), the form of image digests. */
  public static Sha256 ofOciDigest(String digest) {
    if (digest == null || !digest.startsWith(OCI_PREFIX)) {
      throw new IllegalArgumentException("not an OCI sha256 digest (sha256:<64 hex digits>)");
    }
    return new Sha256(digest.substring(OCI_PREFIX.length()));
  }

  /** This digest as an OCI digest, {@code sha256:<hex>}. */
  public String ociDigest() {
    return OCI_PREFIX + hex;
  }

  /** The first 12 hex digits, enough for a person to tell two digests apart in a message. */
  public String abbreviated() {
    return hex.substring(0, 12) + "…";
  }

  @Override
  public int compareTo(Sha256 other) {
    return hex.compareTo(other.hex);
  }

  @Override
  public String toString() {
    return hex;
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
