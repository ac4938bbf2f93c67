package dev.cleanroom.bridge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeHub;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.TestDatabase;
import io.vertx.core.Vertx;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's login through JupyterHub, with the bridge under /services/bridge as the hub runs it, against a
 * {@link FakeHub} stand-in for the hub's OAuth, token and user endpoints: the login's state bound to a cookie, the
 * code exchanged for the user's token, the HttpOnly session cookie, cross-site request forgery refused, no open
 * redirects, logging out.
 */
class HubLoginApiTest {
  private static final String PREFIX = "/services/bridge";
  private static final String ALICE = "alice-hub-token-1234";

  @TempDir Path dir;
  private Vertx vertx;
  private FakeHub hub;
  private BridgeFixture bridge;
  private final HttpClient http = HttpClient.newHttpClient(); // follows no redirects: each step is looked at

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    hub = FakeHub.start(vertx);
    hub.user(ALICE, "alice", List.of("scientists"), List.of("user"));
    hub.user("pat-hub-token-12345678", "pat", List.of("providers"), List.of("user"));
    hub.browserLoggedInAs(ALICE);
    bridge = BridgeFixture.start(dir, TestDatabase.SQLITE, hub.bridgeClient(PREFIX), PREFIX);
  }

  @AfterEach
  void stop() throws Exception {
    bridge.close();
    hub.close();
    vertx.close().await(10, TimeUnit.SECONDS);
    http.close();
  }

  // ---- the flow ----

  @Test
  void oauthLogin_redirectsToTheHubsAuthorizePage_withARandomStateBoundToACookie() throws Exception {
    HttpResponse<String> first = get("oauth_login?next=" + encode(PREFIX + "/ui/#/jobs"), null, Map.of());
    HttpResponse<String> second = get("oauth_login", null, Map.of());

    assertEquals(302, first.statusCode(), first.body());
    String location = first.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith(hub.hubUrl() + "hub/api/oauth2/authorize?"), location);
    Map<String, String> query = query(URI.create(location));
    assertEquals(FakeHub.CLIENT_ID, query.get("client_id"));
    assertEquals(PREFIX + "/oauth_callback", query.get("redirect_uri"));
    assertEquals("code", query.get("response_type"));
    assertEquals("S256", query.get("code_challenge_method"));
    HttpCookie state = cookie(first, HubLoginEndpoints.STATE_COOKIE);
    assertEquals(query.get("state"), state.getValue(), "the state is bound to this browser");
    assertTrue(state.getValue().length() >= 40, "32 random bytes");
    assertTrue(state.isHttpOnly());
    assertEquals(PREFIX + "/", state.getPath());
    assertEquals(600, state.getMaxAge());
    assertTrue(setCookie(first, HubLoginEndpoints.STATE_COOKIE).contains("SameSite=Lax"));
    assertNotEquals(state.getValue(), cookie(second, HubLoginEndpoints.STATE_COOKIE).getValue());
  }

  @Test
  void theCallback_exchangesTheCode_andSetsAnHttpOnlySessionCookieOnThePrefix() throws Exception {
    HttpResponse<String> callback = logIn(PREFIX + "/ui/#/job/job-aaaaaaaaaaaaaaaa");

    assertEquals(302, callback.statusCode(), callback.body());
    assertEquals(PREFIX + "/ui/#/job/job-aaaaaaaaaaaaaaaa", callback.headers().firstValue("Location").orElseThrow());
    Map<String, String> exchange = hub.tokenRequests().getFirst();
    assertEquals("authorization_code", exchange.get("grant_type"));
    assertEquals(FakeHub.CLIENT_ID, exchange.get("client_id"));
    assertEquals(FakeHub.CLIENT_SECRET, exchange.get("client_secret"));
    assertEquals(PREFIX + "/oauth_callback", exchange.get("redirect_uri"));
    assertTrue(exchange.get("code_verifier").length() >= 43, "PKCE");
    HttpCookie session = cookie(callback, HubLoginEndpoints.SESSION_COOKIE);
    assertTrue(session.isHttpOnly(), "page scripts never see it");
    assertEquals(PREFIX + "/", session.getPath());
    assertEquals(3600, session.getMaxAge(), "as long as the hub's token");
    assertTrue(setCookie(callback, HubLoginEndpoints.SESSION_COOKIE).contains("SameSite=Strict"));
    assertFalse(session.getValue().startsWith("oauth-"), "the cookie holds a session id, not the hub token");
    assertEquals(0, cookie(callback, HubLoginEndpoints.STATE_COOKIE).getMaxAge(), "the state cookie is used up");
  }

  @Test
  void aCookieSignedInGet_isTheHubUserWithTheirRoles() throws Exception {
    String session = session(logIn(PREFIX + "/ui/"));

    HttpResponse<String> me = get("v1/me", session, Map.of());
    HttpResponse<String> jobs = get("v1/jobs", session, Map.of());

    assertEquals(200, me.statusCode(), me.body());
    assertEquals("alice", json(me).path("name").asText());
    assertEquals("[\"scientist\"]", json(me).path("roles").toString());
    assertEquals(200, jobs.statusCode(), jobs.body());
    assertTrue(hub.authorizationHeaders().getLast().startsWith("token oauth-"), "the session's hub token went to the hub");
  }

  @Test
  void theCallback_refusesAWrongOrMissingState_andAStateUsedBefore() throws Exception {
    HttpResponse<String> mine = get("oauth_login", null, Map.of());
    HttpResponse<String> other = get("oauth_login", null, Map.of());
    String myCookie = HubLoginEndpoints.STATE_COOKIE + "=" + cookie(mine, HubLoginEndpoints.STATE_COOKIE).getValue();
    String otherCookie = HubLoginEndpoints.STATE_COOKIE + "=" + cookie(other, HubLoginEndpoints.STATE_COOKIE).getValue();
    String callback = hubRedirect(mine); // oauth_callback?code=...&state=<mine>

    HttpResponse<String> wrongCookie = get(callback, otherCookie, Map.of());
    HttpResponse<String> noCookie = get(callback, null, Map.of());
    HttpResponse<String> noState = get(callback.replaceAll("&state=[^&]*", ""), myCookie, Map.of());
    HttpResponse<String> right = get(callback, myCookie, Map.of());
    HttpResponse<String> replayed = get(callback, myCookie, Map.of());

    for (HttpResponse<String> refused : List.of(wrongCookie, noCookie, noState, replayed)) {
      assertEquals(403, refused.statusCode(), refused.body());
      assertEquals("oauth_state_mismatch", json(refused).path("code").asText());
      assertTrue(json(refused).path("message").asText().contains("log in again"), refused.body());
      assertTrue(refused.headers().allValues("Set-Cookie").stream()
          .noneMatch(c -> c.startsWith(HubLoginEndpoints.SESSION_COOKIE + "=")));
    }
    assertEquals(302, right.statusCode(), right.body());
    assertEquals(1, hub.tokenRequests().size(), "no code went to the hub on a refused state");
  }

  @Test
  void aCodeTheHubDoesNotAccept_isRefused() throws Exception {
    HttpResponse<String> login = get("oauth_login", null, Map.of());
    String state = HubLoginEndpoints.STATE_COOKIE + "=" + cookie(login, HubLoginEndpoints.STATE_COOKIE).getValue();
    String callback = hubRedirect(login).replaceAll("code=[^&]*", "code=made-up");

    HttpResponse<String> refused = get(callback, state, Map.of());

    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals("oauth_code_refused", json(refused).path("code").asText());
  }

  @Test
  void aCookieSignedInPost_withoutTheCsrfHeader_isRefused403_andWithItGoesThrough() throws Exception {
    String session = session(logIn(PREFIX + "/ui/"));

    HttpResponse<String> forged = post(submitPath(), session, Map.of(), Notebooks.regression());
    HttpResponse<String> fromTheUi = post(submitPath(), session, Map.of("X-Requested-With", "dcr-bridge-ui"),
        Notebooks.regression());

    assertEquals(403, forged.statusCode(), forged.body());
    assertEquals("csrf_header_missing", json(forged).path("code").asText());
    assertTrue(json(forged).path("message").asText().contains("'X-Requested-With'"), forged.body());
    assertEquals(201, fromTheUi.statusCode(), fromTheUi.body());
    assertEquals(1, json(get("v1/jobs", session, Map.of())).size(), "the forged request submitted nothing");
  }

  @Test
  void aServerTokenInJupyterHubsTokenScheme_submitsWithoutTheCsrfHeader() throws Exception {
    hub.user("alice-server-token-5678", "alice", List.of("scientists"), List.of("server"));

    HttpResponse<String> submitted = post(submitPath(), null, Map.of("Authorization", "token alice-server-token-5678"),
        Notebooks.regression());

    assertEquals(201, submitted.statusCode(), submitted.body());
    assertEquals("alice", json(submitted).path("owner").asText());
    HttpResponse<String> job = get("v1/jobs/" + json(submitted).path("id").asText(), null,
        Map.of("Authorization", "token alice-server-token-5678"));
    assertEquals(200, job.statusCode(), "under the hub's prefix too, the job id is read from its own segment: " + job.body());
    HttpResponse<String> outside = get("/favicon.ico", null, Map.of());
    assertEquals(404, outside.statusCode());
    assertEquals("not_found", json(outside).path("code").asText());
  }

  @Test
  void aHubThatCannotCheckTokens_is503_andSaysWhatTheHubAnswered() throws Exception {
    hub.failWith(404);

    HttpResponse<String> refused = get("v1/jobs", null, Map.of("Authorization", "token " + ALICE));

    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("authenticator_unavailable", json(refused).path("code").asText());
    String message = json(refused).path("message").asText();
    assertTrue(message.contains("HTTP 404") && message.contains("the hub's API URL") && !message.contains(ALICE), message);
  }

  @Test
  void anOpenRedirectInNext_isRefused() throws Exception {
    for (String next : List.of("https://evil.example/", "//evil.example/services/bridge/", "/hub/admin",
        PREFIX + "/../../hub/admin", PREFIX + "/%2e%2e/%2e%2e/hub/admin", "javascript:alert(1)", PREFIX + "evil/")) {
      HttpResponse<String> refused = get("oauth_login?next=" + encode(next), null, Map.of());

      assertEquals(400, refused.statusCode(), next + ": " + refused.body());
      assertEquals("invalid_next", json(refused).path("code").asText(), next);
      assertTrue(refused.headers().firstValue("Location").isEmpty(), next);
    }
  }

  @Test
  void isSafeNext_takesOnlyPathsUnderThePrefix() {
    assertTrue(HubLoginEndpoints.isSafeNext(PREFIX + "/ui/#/job/job-aaaaaaaaaaaaaaaa", PREFIX));
    assertTrue(HubLoginEndpoints.isSafeNext("/ui/?x=1", ""));
    for (String next : List.of("/\\evil.example", PREFIX + "/ui/\\..\\..\\hub", "//evil.example", "", PREFIX,
        PREFIX + "/./ui/", PREFIX + "/ui/caf\u00e9", PREFIX + "/ui/\r\nSet-Cookie:x=y")) {
      assertFalse(HubLoginEndpoints.isSafeNext(next, PREFIX), next);
    }
    assertFalse(HubLoginEndpoints.isSafeNext("//evil.example/", ""), "with no prefix, // is still another host");
  }

  @Test
  void logout_needsTheCsrfHeader_endsTheSession_andClearsTheCookie() throws Exception {
    String session = session(logIn(PREFIX + "/ui/"));

    HttpResponse<String> forged = post("logout", session, Map.of(), new byte[0]);
    HttpResponse<String> stillIn = get("v1/me", session, Map.of());
    HttpResponse<String> loggedOut = post("logout", session, Map.of("X-Requested-With", "dcr-bridge-ui"), new byte[0]);
    HttpResponse<String> after = get("v1/me", session, Map.of());

    assertEquals(403, forged.statusCode(), forged.body());
    assertEquals(200, stillIn.statusCode(), "another site cannot log a user out");
    assertEquals(200, loggedOut.statusCode(), loggedOut.body());
    assertEquals(hub.hubUrl() + "hub/logout", json(loggedOut).path("hubLogout").asText());
    HttpCookie cleared = cookie(loggedOut, HubLoginEndpoints.SESSION_COOKIE);
    assertEquals("", cleared.getValue());
    assertEquals(0, cleared.getMaxAge());
    assertEquals(PREFIX + "/", cleared.getPath());
    assertEquals(401, after.statusCode(), "the session is over here, not only in the browser");
    assertEquals("login_required", json(after).path("code").asText());
  }

  @Test
  void withoutCredentials_theAnswerIsLoginRequired_andARevokedSessionMustLogInAgain() throws Exception {
    String session = session(logIn(PREFIX + "/ui/"));
    HttpResponse<String> nothing = get("v1/me", null, Map.of());
    assertEquals(200, get("v1/me", session, Map.of()).statusCode());
    String oauthToken = hub.authorizationHeaders().getLast().substring("token ".length());

    hub.revoke(oauthToken);
    HttpResponse<String> revoked = get("v1/me", session, Map.of());

    assertEquals(401, nothing.statusCode());
    assertEquals("login_required", json(nothing).path("code").asText());
    assertTrue(json(nothing).path("message").asText().contains(PREFIX + "/oauth_login"), nothing.body());
    assertEquals(401, revoked.statusCode());
    assertEquals("login_required", json(revoked).path("code").asText());
    assertEquals(0, cookie(revoked, HubLoginEndpoints.SESSION_COOKIE).getMaxAge(), "the browser drops the cookie");
  }

  @Test
  void aBridgeWithoutHubOAuth_saysHowToSignIn() throws Exception {
    try (BridgeFixture tokens = BridgeFixture.start(Files.createDirectories(dir.resolve("tokens")), TestDatabase.SQLITE)) {
      HttpResponse<byte[]> login = tokens.get(null, "oauth_login");
      HttpResponse<byte[]> me = tokens.get(null, "v1/me");

      assertEquals(404, login.statusCode());
      assertEquals("hub_login_unavailable", BridgeFixture.json(login).path("code").asText());
      assertEquals(401, me.statusCode());
      assertEquals("unauthorized", BridgeFixture.json(me).path("code").asText(), "nothing to log in with but a token");
    }
  }

  // ---- helpers: a browser's steps, by hand ----

  /** Logs in as the hub's browser user, starting at oauth_login with {@code next}; the callback's answer. */
  private HttpResponse<String> logIn(String next) throws Exception {
    HttpResponse<String> login = get("oauth_login?next=" + encode(next), null, Map.of());
    String state = HubLoginEndpoints.STATE_COOKIE + "=" + cookie(login, HubLoginEndpoints.STATE_COOKIE).getValue();
    return get(hubRedirect(login), state, Map.of());
  }

  /** Follows oauth_login's redirect to the hub; the hub's redirect back, relative to the bridge's base. */
  private String hubRedirect(HttpResponse<String> login) throws Exception {
    HttpResponse<String> authorize = http.send(HttpRequest.newBuilder(
        URI.create(login.headers().firstValue("Location").orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(302, authorize.statusCode(), authorize.body());
    String back = authorize.headers().firstValue("Location").orElseThrow();
    assertTrue(back.startsWith(PREFIX + "/oauth_callback?"), back);
    return back.substring(PREFIX.length() + 1);
  }

  private static String session(HttpResponse<String> callback) {
    return HubLoginEndpoints.SESSION_COOKIE + "=" + cookie(callback, HubLoginEndpoints.SESSION_COOKIE).getValue();
  }

  private static String submitPath() {
    return "v1/jobs?dataset=insurance&name=regression.ipynb";
  }

  private HttpResponse<String> get(String path, String cookie, Map<String, String> headers) throws Exception {
    return send("GET", path, cookie, headers, HttpRequest.BodyPublishers.noBody());
  }

  private HttpResponse<String> post(String path, String cookie, Map<String, String> headers, byte[] body) throws Exception {
    Map<String, String> json = new HashMap<>(headers);
    json.put("Content-Type", "application/json");
    return send("POST", path, cookie, json, HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private HttpResponse<String> send(String method, String path, String cookie, Map<String, String> headers,
      HttpRequest.BodyPublisher body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(bridge.base().resolve(path)).method(method, body);
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String setCookie(HttpResponse<?> response, String name) {
    return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .findFirst().orElseThrow(() -> new AssertionError("no cookie " + name + " in " + response.headers().map()));
  }

  private static HttpCookie cookie(HttpResponse<?> response, String name) {
    return HttpCookie.parse("Set-Cookie: " + setCookie(response, name)).getFirst();
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return BridgeFixture.JSON.readTree(response.body());
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return fields;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
