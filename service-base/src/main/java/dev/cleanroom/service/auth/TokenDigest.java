package dev.cleanroom.service.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Tokens are kept and compared only as SHA-256 digests: memory and logs never hold a token, and the time a
 * lookup takes says nothing about how close a guess came to a real one.
 */
public final class TokenDigest {
  private TokenDigest() {}

  /** The token's SHA-256 digest, in hex. */
  public static String of(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
