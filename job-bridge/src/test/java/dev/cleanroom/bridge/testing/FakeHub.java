package dev.cleanroom.bridge.testing;

import dev.cleanroom.bridge.Bridge;
import dev.cleanroom.bridge.auth.HubOAuth;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for JupyterHub on a loopback port, as much of its API as the bridge uses (JupyterHub is a
 * third-party service; the bridge meets the real one in the jupyterhub-config tests):
 *
 * <ul>
 *   <li>{@code GET /hub/api/user}: the user model of the token in {@code Authorization: token <t>} (or
 *       {@code Bearer <t>}), 403 for an unknown token;
 *   <li>{@code GET /hub/api/oauth2/authorize}: for the one registered OAuth client, as if the browser were logged in
 *       to the hub as {@link #browserLoggedInAs} and had nothing to confirm: a redirect to the client's callback with
 *       a code and the state given; a code is good once;
 *   <li>{@code POST /hub/api/oauth2/token}: a code, with the client's id and secret, its redirect URI and the PKCE
 *       verifier (S256), for a new OAuth token of that user; {@code 400 invalid_grant} otherwise.
 * </ul>
 */
public final class FakeHub implements AutoCloseable {
  /** The bridge's OAuth client, as {@link #bridgeClient} registers it. */
  public static final String CLIENT_ID = "service-bridge";
  public static final String CLIENT_SECRET = "bridge-service-api-token-0123";

  private record Code(String userToken, String redirectUri, String challenge) {}

  private final HttpServer server;
  private final Map<String, JsonObject> models = new ConcurrentHashMap<>();
  private final Map<String, Code> codes = new ConcurrentHashMap<>();
  private final List<String> authorizationHeaders = new CopyOnWriteArrayList<>();
  private final List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();
  private volatile int failWith;
  private volatile String clientId = "";
  private volatile String clientSecret = "";
  private volatile String redirectUri = "";
  private volatile String browserUserToken = "";
  private volatile URI proxyOrigin;

  private FakeHub(HttpServer server) {
    this.server = server;
  }

  public static FakeHub start(Vertx vertx) throws Exception {
    FakeHub[] hub = new FakeHub[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> hub[0].answer(request));
    hub[0] = new FakeHub(server);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return hub[0];
  }

  private void answer(HttpServerRequest request) {
    if (failWith != 0) {
      request.response().setStatusCode(failWith).end();
      return;
    }
    switch (request.path()) {
      case "/hub/api/oauth2/authorize" -> authorize(request);
      case "/hub/api/oauth2/token" -> request.body().onSuccess(body -> token(request, body.toString()));
      default -> user(request);
    }
  }

  private void user(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    authorizationHeaders.add(header == null ? "" : header);
    String token = header == null ? "" : header.replaceFirst("^(token|Bearer) ", "");
    JsonObject model = models.get(token);
    if (!request.path().equals("/hub/api/user") || model == null) {
      request.response().setStatusCode(403).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", 403).put("message", "Missing or invalid credentials.").encode());
      return;
    }
    request.response().putHeader("Content-Type", "application/json").end(model.encode());
  }

  private void authorize(HttpServerRequest request) {
    MultiMap query = request.params();
    if (!clientId.equals(query.get("client_id")) || !redirectUri.equals(query.get("redirect_uri"))
        || !"code".equals(query.get("response_type")) || !"S256".equals(query.get("code_challenge_method"))
        || query.get("code_challenge") == null || browserUserToken.isEmpty()) {
      request.response().setStatusCode(400).end("Invalid OAuth request");
      return;
    }
    String code = UUID.randomUUID().toString();
    codes.put(code, new Code(browserUserToken, redirectUri, query.get("code_challenge")));
    // Behind JupyterHub's proxy the hub and the bridge share an origin; here they have a port each.
    String callback = proxyOrigin == null ? redirectUri : proxyOrigin.resolve(redirectUri).toString();
    request.response().setStatusCode(302)
        .putHeader("Location", callback + "?code=" + code + "&state=" + URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8))
        .end();
  }

  private void token(HttpServerRequest request, String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    tokenRequests.add(Map.copyOf(form));
    Code code = codes.remove(form.getOrDefault("code", ""));
    boolean good = code != null && "authorization_code".equals(form.get("grant_type"))
        && clientId.equals(form.get("client_id")) && clientSecret.equals(form.get("client_secret"))
        && code.redirectUri().equals(form.get("redirect_uri"))
        && code.challenge().equals(s256(form.getOrDefault("code_verifier", "")));
    if (!good) {
      request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "invalid_grant").encode());
      return;
    }
    String accessToken = "oauth-" + UUID.randomUUID();
    models.put(accessToken, models.get(code.userToken()));
    request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
        .put("access_token", accessToken).put("token_type", "Bearer").put("expires_in", 3600)
        .put("scope", new JsonArray().add("access:services!service=bridge")).encode());
  }

  private static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public URI apiUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/hub/api");
  }

  /** The hub's base URL as a browser reaches it (JupyterHub's {@code JUPYTERHUB_HOST} + {@code JUPYTERHUB_BASE_URL}). */
  public String hubUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/";
  }

  public void user(String token, String name, List<String> groups, List<String> roles) {
    models.put(token, new JsonObject().put("kind", "user").put("name", name).put("admin", false)
        .put("groups", new JsonArray(groups)).put("roles", new JsonArray(roles)).put("server", (String) null));
  }

  public void service(String token, String name) {
    models.put(token, new JsonObject().put("kind", "service").put("name", name).put("roles", new JsonArray()));
  }

  /**
   * Registers the bridge under {@code prefix} as the one OAuth client, as JupyterHub does for a service with an
   * {@code oauth_redirect_uri}, and returns the bridge's authentication for it. The hub's answers are not cached,
   * so a revoked token is seen at once.
   */
  public Bridge.Auth.Hub bridgeClient(String prefix) {
    clientId = CLIENT_ID;
    clientSecret = CLIENT_SECRET;
    redirectUri = prefix + "/oauth_callback";
    return new Bridge.Auth.Hub(apiUrl(), Duration.ZERO,
        Optional.of(new HubOAuth(CLIENT_ID, CLIENT_SECRET, hubUrl(), redirectUri)));
  }

  /** Sends browsers back to the client's (relative) callback at {@code origin}, the bridge's, as a proxy would. */
  public void proxiedAt(URI origin) {
    proxyOrigin = origin;
  }

  /** Who the browser is logged in to the hub as: the user whose API token this is. */
  public void browserLoggedInAs(String userToken) {
    browserUserToken = userToken;
  }

  /** Revokes a token, as the hub does when it expires or the user deletes it. */
  public void revoke(String token) {
    models.remove(token);
  }

  /** Answers every request with this status (0: answer normally again). */
  public void failWith(int status) {
    failWith = status;
  }

  public List<String> authorizationHeaders() {
    return List.copyOf(authorizationHeaders);
  }

  /** The form fields of every token request, in order. */
  public List<Map<String, String>> tokenRequests() {
    return List.copyOf(tokenRequests);
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
