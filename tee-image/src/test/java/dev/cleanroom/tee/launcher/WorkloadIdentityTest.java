package dev.cleanroom.tee.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token exchange against a local stand-in for Google's Security Token Service and IAM Credentials API (a
 * third-party boundary): what the launcher sends, field by field.
 */
class WorkloadIdentityTest {
  private static final String PROVIDER =
      "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/dcr-tee/providers/attestation-verifier";
  private static final String ATTESTATION = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3N0cyJ9.c2ln";

  private HttpServer server;
  private final List<String> requests = new ArrayList<>();
  private final List<Map<String, String>> forms = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();
  private final List<String> bodies = new ArrayList<>();
  private int stsStatus = 200;
  private int stsRefusalsLeft;
  private final List<Duration> pauses = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      bodies.add(body);
      String answer;
      int status = 200;
      if (exchange.getRequestURI().getPath().equals("/v1/token")) {
        assertEquals("application/x-www-form-urlencoded", exchange.getRequestHeaders().getFirst("Content-Type"));
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
          String[] kv = pair.split("=", 2);
          form.put(URLDecoder.decode(kv[0], UTF_8), URLDecoder.decode(kv[1], UTF_8));
        }
        forms.add(form);
        status = stsRefusalsLeft-- > 0 ? 400 : stsStatus;
        answer = status == 200 ? "{\"access_token\":\"federated-1\",\"issued_token_type\":"
            + "\"urn:ietf:params:oauth:token-type:access_token\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
            : "{\"error\":\"invalid_grant\",\"error_description\":\"" + ATTESTATION + "\"}";
      } else {
        answer = "{\"accessToken\":\"impersonated-1\",\"expireTime\":\"2026-11-26T00:00:00Z\"}";
      }
      byte[] bytes = answer.getBytes(UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private WorkloadIdentity identity() {
    URI local = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    return new WorkloadIdentity(new CloudHttp(HttpClient.newHttpClient(), pauses::add), new CloudEndpoints(local, local, local),
        () -> ATTESTATION);
  }

  @Test
  void accessToken_exchangesTheAttestationTokenAtTheSecurityTokenService() throws IOException {
    String token = identity().accessToken(PROVIDER, Optional.empty());

    assertEquals("federated-1", token);
    assertEquals(List.of("POST /v1/token"), requests);
    assertEquals(Map.of(
        "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
        "audience", PROVIDER,
        "scope", "https://www.googleapis.com/auth/cloud-platform",
        "requested_token_type", "urn:ietf:params:oauth:token-type:access_token",
        "subject_token_type", "urn:ietf:params:oauth:token-type:jwt",
        "subject_token", ATTESTATION), forms.get(0));
  }

  @Test
  void accessToken_asAServiceAccount_impersonatesItWithTheFederatedToken() throws IOException {
    String token = identity().accessToken(PROVIDER, Optional.of("reader@insurer-data.iam.gserviceaccount.com"));

    assertEquals("impersonated-1", token);
    assertEquals(List.of("POST /v1/token",
        "POST /v1/projects/-/serviceAccounts/reader%40insurer-data.iam.gserviceaccount.com:generateAccessToken"), requests);
    assertEquals("Bearer federated-1", authorizations.get(1));
    assertEquals("{\"scope\":[\"https://www.googleapis.com/auth/cloud-platform\"]}", bodies.get(1));
  }

  @Test
  void accessToken_isExchangedOncePerProviderAndAccount() throws IOException {
    WorkloadIdentity identity = identity();

    identity.accessToken(PROVIDER, Optional.empty());
    identity.accessToken(PROVIDER, Optional.empty());

    assertEquals(1, requests.size());
  }

  @Test
  void accessToken_refused_saysTheStatusAndNeverEchoesTheAnswerOrTheToken() {
    stsStatus = 403;

    IOException e = assertThrows(IOException.class, () -> identity().accessToken(PROVIDER, Optional.empty()));

    assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
    assertFalse(e.getMessage().contains(ATTESTATION), e.getMessage());
  }

  /** The provider's grant for this image was just made: the exchange is refused until it has propagated. */
  @Test
  void accessToken_refusedWhileANewGrantPropagates_isAskedAgainUntilGranted() throws IOException {
    stsRefusalsLeft = 3;

    assertEquals("federated-1", identity().accessToken(PROVIDER, Optional.empty()));

    assertEquals(4, forms.size());
    assertEquals(Collections.nCopies(3, CloudHttp.GRANT_WAIT), pauses);
  }

  @Test
  void accessToken_refusedLongerThanAGrantTakesToPropagate_failsAfterABoundedWait() {
    stsStatus = 403;

    IOException e = assertThrows(IOException.class, () -> identity().accessToken(PROVIDER, Optional.empty()));

    assertEquals(CloudHttp.GRANT_PROPAGATION, pauses.stream().reduce(Duration.ZERO, Duration::plus));
    assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
    assertTrue(e.getMessage().contains("while a new grant could still propagate"), e.getMessage());
  }
}
