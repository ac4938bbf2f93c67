package dev.cleanroom.bridge.auth;

import dev.cleanroom.service.auth.TokenDigest;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer tokens from a file, for the embedded default and tests: one {@code <token> <user> <roles>} a line,
 * roles comma-separated ({@code scientist}, {@code provider}, {@code auditor}, or the hub group names), or
 * {@code -} for none; blank lines and {@code #} comments are ignored. Tokens are at least
 * {@value #MIN_TOKEN_LENGTH} characters ({@code openssl rand -hex 24}).
 *
 * <pre>
 * 3f9c1e0b7a2d4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b alice scientist
 * a7b9c1d3e5f70819a2b4c6d8e0f1a3b5c7d9e1f3a5b7 pat   provider,scientist
 * </pre>
 */
public final class TokenFile implements Authenticator {
  public static final int MIN_TOKEN_LENGTH = 16;

  private final Map<String, Caller> callersByDigest;

  private TokenFile(Map<String, Caller> callersByDigest) {
    this.callersByDigest = Map.copyOf(callersByDigest);
  }

  public static TokenFile read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses a token file's lines; {@code source} names it in messages, which name lines and never their tokens. */
  public static TokenFile parse(List<String> lines, String source) {
    Map<String, Caller> callers = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length != 3) {
        throw new IllegalArgumentException(source + ": line " + (i + 1) + " must be '<token> <user> <roles>'");
      }
      if (fields[0].length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(source + ": the token on line " + (i + 1) + " is shorter than "
            + MIN_TOKEN_LENGTH + " characters; make one with 'openssl rand -hex 24'");
      }
      Set<Role> roles = EnumSet.noneOf(Role.class);
      int number = i + 1;
      if (!fields[2].equals("-")) {
        for (String name : fields[2].split(",")) {
          roles.add(Role.named(name).orElseThrow(() -> new IllegalArgumentException(source + ": line " + number
              + " has role '" + name + "'; roles are scientist, provider, auditor (or - for none)")));
        }
      }
      if (callers.putIfAbsent(TokenDigest.of(fields[0]), new Caller(fields[1], roles)) != null) {
        throw new IllegalArgumentException(source + ": the token on line " + (i + 1) + " is listed twice");
      }
    }
    return new TokenFile(callers);
  }

  @Override
  public Future<Optional<Caller>> authenticate(String bearerToken) {
    return Future.succeededFuture(Optional.ofNullable(callersByDigest.get(TokenDigest.of(bearerToken))));
  }
}
