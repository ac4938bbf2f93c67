package dev.cleanroom.attestation.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenRequestTest {
  private static final String NONCE = "0123456789abcdef";

  @Test
  void oidc_sha256HexNonce_isAccepted() {
    String nonce = "a".repeat(64);
    assertEquals(List.of(nonce), TokenRequest.oidc("aud", nonce).nonces());
  }

  @Test
  void constructor_emptyAudience_pointsToTheDefaultToken() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenRequest.oidc("", NONCE));
    assertEquals("audience is required (use GET for the default identity token)", e.getMessage());
  }

  @Test
  void constructor_missingTokenType_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TokenRequest("aud", List.of(NONCE), ""));
    assertEquals("token_type is a required parameter", e.getMessage());
  }

  @Test
  void constructor_pkiTokenType_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TokenRequest("aud", List.of(NONCE), "PKI"));
  }

  @Test
  void constructor_nonceShorterThan10Bytes_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> TokenRequest.oidc("aud", "123456789"));
  }

  @Test
  void constructor_nonceLongerThan74Bytes_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> TokenRequest.oidc("aud", "x".repeat(75)));
  }

  @Test
  void constructor_sevenNonces_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TokenRequest("aud", Collections.nCopies(7, NONCE), "OIDC"));
  }

  @Test
  void constructor_audienceOver512Bytes_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> TokenRequest.oidc("a".repeat(513), NONCE));
  }
}
