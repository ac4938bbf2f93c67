package dev.cleanroom.attestation.jwks;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.cleanroom.attestation.AttestationException;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of public signing keys (JWKS) together with where and when it was read. The job bridge archives
 * the issuer's JWKS when a job finishes, because issuers rotate keys and an auditor may verify the
 * report long after the key left the issuer's live set.
 *
 * <p>Invariant: holds only public keys. An archive proves nothing by itself — whoever writes a report
 * can write its JWKS — so the verifier trusts it only where the caller says so (see the verifier).
 *
 * @param json the JWK set as JSON ({@code {"keys": [...]}})
 * @param issuer the issuer whose keys these are
 * @param source where they were read: a {@code jwks_uri}, a file, or the simulator's key store
 * @param fetchedAt when they were read
 */
public record ArchivedJwks(String json, String issuer, String source, Instant fetchedAt) {

  public ArchivedJwks {
    if (issuer == null || source == null || fetchedAt == null) {
      throw new IllegalArgumentException("an archived JWKS needs its issuer, source and time");
    }
    parse(json);
  }

  /** The key ids in the set, in its order. */
  public List<String> keyIds() {
    List<String> ids = new ArrayList<>();
    for (JWK key : parse(json).getKeys()) {
      ids.add(key.getKeyID() == null ? "" : key.getKeyID());
    }
    return ids;
  }

  /**
   * Parses a JWK set, refusing one that is empty or holds private key material. Messages never repeat
   * the document, which may hold keys.
   */
  public static JWKSet parse(String json) {
    JWKSet set;
    try {
      set = JWKSet.parse(json == null ? "" : json);
    } catch (ParseException e) {
      throw new AttestationException("invalid_jwks", "not a JWK set");
    }
    if (set.getKeys().isEmpty()) {
      throw new AttestationException("invalid_jwks", "the JWK set holds no key");
    }
    for (JWK key : set.getKeys()) {
      if (key.isPrivate()) {
        throw new AttestationException("invalid_jwks", "the JWK set holds private key material; publish only public keys");
      }
    }
    return set;
  }
}
