package dev.cleanroom.attestation.claims;

import java.util.List;
import java.util.Map;

/**
 * {@code submods.container}: what the Confidential Space launcher ran. Strings are empty when the token
 * does not carry them.
 *
 * @param imageDigest the OCI manifest digest, {@code sha256:<hex>}
 * @param imageId the image's config digest, {@code sha256:<hex>}
 * @param restartPolicy {@code Never}, {@code Always} or {@code OnFailure}
 */
public record ContainerClaims(
    String imageReference,
    String imageDigest,
    String imageId,
    String restartPolicy,
    Map<String, String> env,
    List<String> args) {

  public ContainerClaims {
    imageReference = orEmpty(imageReference);
    imageDigest = orEmpty(imageDigest);
    imageId = orEmpty(imageId);
    restartPolicy = orEmpty(restartPolicy);
    env = env == null ? Map.of() : Map.copyOf(env);
    args = args == null ? List.of() : List.copyOf(args);
  }

  static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
