package dev.cleanroom.attestation.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class OidcServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void discovery_namesTheSimulatorIssuerAndItsJwks() throws Exception {
    try (OidcServer server = OidcServer.start(SimulatorKeys.ephemeral(), 0)) {
      JsonNode d = JsonMapper.builder().build().readTree(get(server.discoveryUrl()).body());
      assertEquals(SimulatorIssuer.ISSUER, d.get("issuer").asText());
      assertEquals("RS256", d.get("id_token_signing_alg_values_supported").get(0).asText());
      assertTrue(d.get("jwks_uri").asText().startsWith("http://127.0.0.1:"), d.toString());
    }
  }

  @Test
  void jwks_servesThePublishedPublicKeys() throws Exception {
    SimulatorKeys keys = SimulatorKeys.ephemeral();
    try (OidcServer server = OidcServer.start(keys, 0)) {
      assertEquals(keys.publicJwks(), get(server.discoveryUrl().resolve(OidcServer.JWKS_PATH)).body());
    }
  }

  @Test
  void start_offLoopback_isRefused() throws Exception {
    InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0);
    assertThrows(IllegalArgumentException.class, () -> OidcServer.start(SimulatorKeys.ephemeral(), any));
  }
}
