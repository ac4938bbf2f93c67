package dev.cleanroom.attestation.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.JobManifest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code report.json}: a job's manifest, the TEE's token over it, and the issuer's keys as archived when
 * the job finished. It is everything an auditor needs besides the output files and the notebook.
 *
 * <p>Invariant: holds a well-formed manifest and a token of compact JWS shape; whether they are genuine
 * is for the verifier to say, never for this class.
 *
 * @param token the compact JWT the launcher socket returned
 * @param jwks the issuer's keys archived by the job bridge; empty in a folder straight from the launcher
 */
public record AttestationReport(JobManifest manifest, String token, Optional<ArchivedJwks> jwks) {
  public static final String FORMAT = "dcr.attestation-report/1";

  // Three base64url parts; the signature part may be empty (alg none) so the verifier can name it.
  private static final Pattern COMPACT_JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final Set<String> MEMBERS = Set.of("format", "manifest", "token", "jwks", "jwksOrigin");

  public AttestationReport {
    if (manifest == null || jwks == null) {
      throw new IllegalArgumentException("a report needs a manifest (and an optional JWKS, never null)");
    }
    token = requireCompactJwt(token);
  }

  /** Checks a token's shape only, and returns it without surrounding whitespace. */
  public static String requireCompactJwt(String token) {
    String t = token == null ? "" : token.strip();
    if (!COMPACT_JWT.matcher(t).matches()) {
      throw new AttestationException("invalid_report", "the token is not a compact JWT (three base64url parts)");
    }
    return t;
  }

  public AttestationReport withJwks(ArchivedJwks archived) {
    return new AttestationReport(manifest, token, Optional.of(archived));
  }

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("format", FORMAT);
    o.set("manifest", manifest.toJson());
    o.put("token", token);
    jwks.ifPresent(k -> {
      o.set("jwks", CanonicalJson.parse(k.json().getBytes(StandardCharsets.UTF_8)));
      ObjectNode origin = o.putObject("jwksOrigin");
      origin.put("issuer", k.issuer());
      origin.put("source", k.source());
      origin.put("fetchedAt", k.fetchedAt().toString());
    });
    return o;
  }

  /** The report as pretty-printed UTF-8 JSON, for people to read; hashes never depend on this layout. */
  public byte[] toBytes() {
    return CanonicalJson.pretty(toJson());
  }

  public static AttestationReport fromBytes(byte[] json) {
    JsonNode o;
    try {
      o = CanonicalJson.parse(json);
    } catch (IllegalArgumentException e) {
      throw new AttestationException("invalid_report", "report is not valid JSON: " + e.getMessage());
    }
    if (!o.isObject()) {
      throw new AttestationException("invalid_report", "report must be a JSON object");
    }
    for (String name : (Iterable<String>) o::fieldNames) {
      if (!MEMBERS.contains(name)) {
        throw new AttestationException("invalid_report", "unknown report member '" + name + "'");
      }
    }
    if (!FORMAT.equals(o.path("format").asText())) {
      throw new AttestationException("invalid_report", "report format is not " + FORMAT);
    }
    JobManifest manifest;
    try {
      manifest = JobManifest.fromJson(o.get("manifest"));
    } catch (IllegalArgumentException e) {
      throw new AttestationException("invalid_manifest", "the report's manifest: " + e.getMessage());
    }
    if (!o.path("token").isTextual()) {
      throw new AttestationException("invalid_report", "the report has no token");
    }
    Optional<ArchivedJwks> jwks = Optional.empty();
    if (o.has("jwks") || o.has("jwksOrigin")) {
      JsonNode origin = o.path("jwksOrigin");
      if (!o.path("jwks").isObject() || !origin.isObject()) {
        throw new AttestationException("invalid_report", "'jwks' and 'jwksOrigin' come together, both objects");
      }
      try {
        jwks = Optional.of(new ArchivedJwks(
            o.get("jwks").toString(),
            origin.path("issuer").asText(),
            origin.path("source").asText(),
            Instant.parse(origin.path("fetchedAt").asText())));
      } catch (DateTimeParseException e) {
        throw new AttestationException("invalid_report", "'jwksOrigin.fetchedAt' must be an ISO-8601 instant");
      }
    }
    return new AttestationReport(manifest, o.get("token").textValue(), jwks);
  }
}
