package dev.cleanroom.attestation.jwks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.jwk.JWKSet;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.TestJobs;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchivedJwksTest {
  @Test
  void keyIds_listsTheSetsKeys() {
    assertEquals(List.of(TestJobs.KEY_ID), TestJobs.googleJwks().keyIds());
  }

  @Test
  void constructor_privateKeyMaterial_isRefusedWithoutEchoingIt() {
    String withPrivate = new JWKSet(TestJobs.googleKey()).toString(false);
    AttestationException e = assertThrows(AttestationException.class,
        () -> new ArchivedJwks(withPrivate, "iss", "test", Instant.EPOCH));
    assertEquals("invalid_jwks", e.code());
    String d = TestJobs.googleKey().getPrivateExponent().toString();
    assertFalse(e.getMessage().contains(d.substring(0, 16)), "the message must not carry key material");
  }

  @Test
  void constructor_notJson_isRefused() {
    AttestationException e = assertThrows(AttestationException.class, () -> new ArchivedJwks("{", "iss", "test", Instant.EPOCH));
    assertEquals("not a JWK set", e.getMessage());
  }

  @Test
  void constructor_emptySet_isRefused() {
    assertThrows(AttestationException.class, () -> new ArchivedJwks("{\"keys\":[]}", "iss", "test", Instant.EPOCH));
  }
}
