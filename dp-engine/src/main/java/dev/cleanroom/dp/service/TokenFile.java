package dev.cleanroom.dp.service;

import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.service.auth.TokenDigest;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer tokens from a file, one {@code <token> <user> <roles>} a line, as the job bridge's token file:
 * roles comma-separated ({@code scientist}, {@code provider}, {@code auditor}, or the hub group names), or
 * {@code -} for none; only the scientist role matters here. Blank lines and lines starting with {@code #} are
 * ignored. A token is at least {@value #MIN_TOKEN_LENGTH} characters without spaces (make one with
 * {@code openssl rand -hex 24}); a user name is one word. The file is read once, at start.
 *
 * <p>Only SHA-256 digests of the tokens are kept, and a lookup compares digests, so the time a lookup
 * takes says nothing about how close a guess came to a real token.
 */
public final class TokenFile implements Authenticator {
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final Set<String> ROLES = Set.of("scientist", "provider", "auditor", "scientists", "providers",
      "auditors", "-");

  private final Map<String, Caller> usersByTokenDigest;

  private TokenFile(Map<String, Caller> usersByTokenDigest) {
    this.usersByTokenDigest = Map.copyOf(usersByTokenDigest);
  }

  public static TokenFile read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses the lines of a token file; {@code source} names it in error messages. */
  public static TokenFile parse(List<String> lines, String source) {
    Map<String, Caller> users = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      // Errors name the line, never its content: the content is a secret.
      if (fields.length != 3) {
        throw new IllegalArgumentException(source + ": line " + (i + 1) + " must be '<token> <user> <roles>'"
            + " (roles: scientist, provider, auditor comma-separated, or - for none)");
      }
      List<String> roles = List.of(fields[2].split(","));
      for (String role : roles) {
        if (!ROLES.contains(role)) {
          throw new IllegalArgumentException(source + ": line " + (i + 1) + " has role '" + role
              + "'; roles are scientist, provider, auditor (or - for none)");
        }
      }
      if (fields[0].length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(source + ": the token on line " + (i + 1) + " is shorter than "
            + MIN_TOKEN_LENGTH + " characters; make one with 'openssl rand -hex 24'");
      }
      boolean scientist = roles.contains("scientist") || roles.contains("scientists");
      if (users.putIfAbsent(TokenDigest.of(fields[0]), new Caller(fields[1], scientist)) != null) {
        throw new IllegalArgumentException(source + ": the token on line " + (i + 1) + " is listed twice");
      }
    }
    return new TokenFile(users);
  }

  @Override
  public Future<Optional<Caller>> user(String bearerToken) {
    return Future.succeededFuture(Optional.ofNullable(usersByTokenDigest.get(TokenDigest.of(bearerToken))));
  }
}
