package dev.cleanroom.attestation.jwks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.simulator.OidcServer;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwksFetcherTest {
  private static SimulatorKeys keys;
  private static OidcServer server;
  private final JwksFetcher fetcher = JwksFetcher.create(TestJobs.clockAt(TestJobs.ISSUED));

  @BeforeAll
  static void start() throws Exception {
    keys = SimulatorKeys.ephemeral();
    server = OidcServer.start(keys, 0);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void fetch_followsDiscoveryToTheJwks() {
    ArchivedJwks jwks = fetcher.fetch(server.discoveryUrl(), SimulatorIssuer.ISSUER);
    assertEquals(keys.keyIds(), jwks.keyIds());
    assertEquals(SimulatorIssuer.ISSUER, jwks.issuer());
    assertEquals(TestJobs.ISSUED, jwks.fetchedAt());
    assertTrue(jwks.source().endsWith("/jwks"), jwks.source());
  }

  @Test
  void fetch_discoveryOfAnotherIssuer_isRefused() {
    AttestationException e = assertThrows(AttestationException.class,
        () -> fetcher.fetch(server.discoveryUrl(), "https://confidentialcomputing.googleapis.com"));
    assertEquals("jwks_unavailable", e.code());
  }

  @Test
  void fetch_plainHttpOffLoopback_isRefusedBeforeAnyRequest() {
    AttestationException e = assertThrows(AttestationException.class,
        () -> fetcher.fetch(URI.create("http://example.com/.well-known/openid-configuration"), SimulatorIssuer.ISSUER));
    assertTrue(e.getMessage().contains("https"), e.getMessage());
  }

  @Test
  void fetch_missingDocument_saysTheStatus() {
    URI missing = server.discoveryUrl().resolve("/nothing-here");
    AttestationException e = assertThrows(AttestationException.class, () -> fetcher.fetch(missing, SimulatorIssuer.ISSUER));
    assertTrue(e.getMessage().contains("404"), e.getMessage());
  }
}
