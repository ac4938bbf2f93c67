package dev.cleanroom.bridge.disclosure;

import dev.cleanroom.attestation.manifest.Sha256;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * A job's {@code checks.json} as stored, with its sha256 (what a release decision is bound to in the audit log).
 */
public record ChecksReport(byte[] bytes, String sha256, JsonObject json) {
  static ChecksReport parse(byte[] bytes) {
    return new ChecksReport(bytes.clone(), Sha256.of(bytes).hex(), new JsonObject(new String(bytes,
        java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** What the scientist receives for an output: {@code attested}, {@code derivative} or {@code withheld}. */
  public Optional<String> released(String path) {
    return output(path).map(o -> o.getString("released"));
  }

  /** The sha256 (hex) of what the scientist receives for an output, unless it is withheld. */
  public Optional<String> releasedSha256(String path) {
    return output(path).map(o -> o.getString("releasedSha256"));
  }

  private Optional<JsonObject> output(String path) {
    return json.getJsonArray("outputs").stream().map(JsonObject.class::cast)
        .filter(o -> o.getString("path").equals(path)).findFirst();
  }
}
