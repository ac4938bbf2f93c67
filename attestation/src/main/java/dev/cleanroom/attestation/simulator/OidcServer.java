package dev.cleanroom.attestation.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The simulator issuer's OIDC discovery document and JWKS over HTTP, on loopback only, with the field
 * names Google's issuer uses. The job bridge archives the JWKS from here when a simulated job finishes,
 * exactly as it does from Google for a real one.
 */
public final class OidcServer implements AutoCloseable {
  public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
  public static final String JWKS_PATH = "/jwks";

  private final HttpServer server;

  private OidcServer(HttpServer server) {
    this.server = server;
  }

  /** Serves on {@code 127.0.0.1} at {@code port} (0 picks a free one). */
  public static OidcServer start(SimulatorKeys keys, int port) throws IOException {
    return start(keys, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  public static OidcServer start(SimulatorKeys keys, InetSocketAddress address) throws IOException {
    if (!address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("the simulator's issuer serves on loopback only, not " + address);
    }
    HttpServer server = HttpServer.create(address, 16);
    OidcServer oidc = new OidcServer(server);
    server.createContext(DISCOVERY_PATH, exchange -> respond(exchange, DISCOVERY_PATH, oidc::discovery));
    server.createContext(JWKS_PATH, exchange -> respond(exchange, JWKS_PATH, keys::publicJwks));
    server.start();
    return oidc;
  }

  /** Where the discovery document is served; give it to the job bridge and to {@code dcr verify --discovery}. */
  public URI discoveryUrl() {
    return base().resolve(DISCOVERY_PATH);
  }

  private URI base() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort());
  }

  private String discovery() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode d = f.objectNode();
    d.put("issuer", SimulatorIssuer.ISSUER);
    d.put("jwks_uri", base().resolve(JWKS_PATH).toString());
    d.putArray("id_token_signing_alg_values_supported").add("RS256");
    d.putArray("response_types_supported").add("id_token");
    d.putArray("scopes_supported").add("openid");
    d.putArray("subject_types_supported").add("public");
    var claims = d.putArray("claims_supported");
    for (String c : new String[] {"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "dbgstat", "eat_nonce",
        "google_service_accounts", "hwmodel", "oemid", "secboot", "submods", "swname", "swversion"}) {
      claims.add(c);
    }
    try {
      return CanonicalJson.mapper().writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  private static void respond(HttpExchange exchange, String path, Supplier<String> body) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET") || !exchange.getRequestURI().getPath().equals(path)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
