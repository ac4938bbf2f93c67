package dev.cleanroom.attestation.jwks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * Reads an issuer's signing keys the OIDC way: its discovery document names {@code jwks_uri}, which
 * serves the JWK set. Used by the job bridge to archive keys with each report and by the verifier to
 * check against the live issuer.
 *
 * <p>Invariant: only {@code https} URLs are followed, or {@code http} to a loopback address (the local
 * simulator); the discovery document must name the expected issuer; redirects are not followed. Google's keys are
 * read only from Google's own discovery document and only from a {@code jwks_uri} on {@value #GOOGLE_KEYS_PREFIX}:
 * any server can publish a document that names Google's issuer.
 */
public final class JwksFetcher {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_BYTES = 1 << 20;
  static final String GOOGLE_KEYS_PREFIX = "https://www.googleapis.com/";

  private final HttpClient http;
  private final Clock clock;

  private JwksFetcher(HttpClient http, Clock clock) {
    this.http = http;
    this.clock = clock;
  }

  public static JwksFetcher create(Clock clock) {
    return new JwksFetcher(
        HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build(),
        clock);
  }

  /** Fetches the discovery document at {@code discoveryUrl}, checks its issuer, and fetches its JWKS. */
  public ArchivedJwks fetch(URI discoveryUrl, String expectedIssuer) {
    boolean google = expectedIssuer.equals(ConfidentialSpace.ISSUER);
    if (google && !discoveryUrl.equals(URI.create(ConfidentialSpace.DISCOVERY_URL))) {
      throw new AttestationException("jwks_unavailable", "Google's keys are read only from " + ConfidentialSpace.DISCOVERY_URL
          + ", not " + discoveryUrl);
    }
    JsonNode discovery;
    try {
      discovery = CanonicalJson.parse(get(discoveryUrl).getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new AttestationException("jwks_unavailable", "the discovery document at " + discoveryUrl + " is not JSON");
    }
    JsonNode issuer = discovery.get("issuer");
    if (issuer == null || !expectedIssuer.equals(issuer.asText())) {
      throw new AttestationException("jwks_unavailable",
          "the discovery document at " + discoveryUrl + " is not the one of issuer " + expectedIssuer);
    }
    JsonNode jwksUri = discovery.get("jwks_uri");
    if (jwksUri == null || !jwksUri.isTextual()) {
      throw new AttestationException("jwks_unavailable", "the discovery document at " + discoveryUrl + " names no jwks_uri");
    }
    URI keys;
    try {
      keys = URI.create(jwksUri.textValue());
    } catch (IllegalArgumentException e) {
      throw new AttestationException("jwks_unavailable", "the discovery document's jwks_uri is not a URL");
    }
    if (google && !keys.toString().startsWith(GOOGLE_KEYS_PREFIX)) {
      throw new AttestationException("jwks_unavailable", "Google's discovery document names keys outside " + GOOGLE_KEYS_PREFIX);
    }
    return new ArchivedJwks(get(keys), expectedIssuer, keys.toString(), clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  private String get(URI url) {
    requireTrustedUrl(url);
    try {
      HttpResponse<InputStream> response =
          http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new AttestationException("jwks_unavailable", url + " answered HTTP " + response.statusCode());
        }
        byte[] bytes = body.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
          throw new AttestationException("jwks_unavailable", url + " answered more than 1 MiB");
        }
        return new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new AttestationException("jwks_unavailable", "could not reach " + url + " (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AttestationException("jwks_unavailable", "interrupted while fetching " + url);
    }
  }

  static void requireTrustedUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme();
    if (scheme.equals("https") && url.getHost() != null) {
      return;
    }
    if (scheme.equals("http") && isLoopback(url.getHost())) {
      return;
    }
    throw new AttestationException("jwks_unavailable", "refusing " + url + ": keys are fetched over https, or http on loopback");
  }

  private static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    // Only literal addresses: a name could resolve elsewhere between this check and the request.
    if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
