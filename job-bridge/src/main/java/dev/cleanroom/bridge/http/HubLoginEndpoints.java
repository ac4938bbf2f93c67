package dev.cleanroom.bridge.http;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.auth.HubLogin;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The web UI's login through JupyterHub ({@code /oauth_login}, {@code /oauth_callback}, {@code /logout}) and the
 * session cookie it leaves: {@value #SESSION_COOKIE}, HttpOnly, SameSite=Strict, on the bridge's path, Secure
 * when the browser came over HTTPS. The cookie holds a random session id, never the hub token ({@link HubLogin}).
 *
 * <p>Invariant: a request the cookie authenticates may change something only if it carries
 * {@value #CSRF_HEADER}, which a page of another site cannot send here (a form cannot set headers, and a script's
 * request with one needs a CORS preflight the bridge never grants). Requests with an {@code Authorization} header
 * need no such proof: a browser never adds that header by itself.
 */
final class HubLoginEndpoints {
  static final String SESSION_COOKIE = "dcr-bridge-session";
  static final String STATE_COOKIE = "dcr-bridge-oauth-state";
  static final String CSRF_HEADER = "X-Requested-With";
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final Optional<HubLogin> login;
  private final String basePath;

  HubLoginEndpoints(Optional<HubLogin> login, String basePath) {
    this.login = login;
    this.basePath = basePath;
  }

  boolean available() {
    return login.isPresent();
  }

  /** {@code GET /oauth_login?next=PATH}: off to the hub's authorize page, with the login's state in a cookie. */
  void start(RoutingContext ctx) {
    HubLogin hub = hubLogin();
    String next = query(ctx, "next").orElse(basePath + "/ui/");
    if (!isSafeNext(next, basePath)) {
      throw new BridgeException("invalid_next", 400, "'next' must be a path of this bridge, under " + basePath
          + "/ (such as " + basePath + "/ui/); the bridge redirects nowhere else");
    }
    HubLogin.Started started = hub.start(next);
    ctx.response().addCookie(cookie(ctx, STATE_COOKIE, started.state(), HubLogin.STATE_TTL.toSeconds())
        .setSameSite(CookieSameSite.LAX)); // Lax: it must come back on the hub's redirect, a top-level navigation
    redirect(ctx, started.authorizeUrl());
  }

  /** {@code GET /oauth_callback?code&state}: the hub's answer; opens a session and goes where the login began. */
  void finish(RoutingContext ctx) {
    HubLogin hub = hubLogin();
    Cookie state = ctx.request().getCookie(STATE_COOKIE);
    String stateCookie = state == null ? "" : state.getValue();
    // The state cookie is good for one attempt, whatever its outcome. (Read first: Vert.x keeps request and
    // response cookies in one jar.)
    ctx.response().addCookie(cookie(ctx, STATE_COOKIE, "", 0).setSameSite(CookieSameSite.LAX));
    Optional<String> error = query(ctx, "error");
    if (error.isPresent()) {
      String reason = query(ctx, "error_description").orElse(error.get()).replaceAll("[^\\p{Alnum} .,:'_-]", "?");
      throw new BridgeException("oauth_refused", 400, "JupyterHub did not log you in (" + reason
          + "); log in again at " + basePath + "/oauth_login");
    }
    hub.finish(query(ctx, "state").orElse(""), stateCookie, query(ctx, "code").orElse(""))
        .onSuccess(signedIn -> {
          ctx.response().addCookie(cookie(ctx, SESSION_COOKIE, signedIn.sessionId(), signedIn.lifetime().toSeconds()));
          redirect(ctx, signedIn.next());
        })
        .onFailure(ctx::fail);
  }

  /** {@code POST /logout}: ends the session here and forgets the cookie; says where the hub's own logout is. */
  void end(RoutingContext ctx) {
    HubLogin hub = hubLogin();
    if (!hasCsrfHeader(ctx)) {
      throw csrfRefused();
    }
    sessionId(ctx).ifPresent(hub::end);
    forgetSession(ctx);
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("loggedOut", true).put("hubLogout", hub.oauth().hubLogoutUrl()).encode());
  }

  /** The session id the request's cookie carries, when this bridge logs in through the hub. */
  Optional<String> sessionId(RoutingContext ctx) {
    Cookie cookie = login.isEmpty() ? null : ctx.request().getCookie(SESSION_COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? Optional.empty() : Optional.of(cookie.getValue());
  }

  /** The hub token of the request's session, if it has one that has not ended. */
  Optional<String> sessionToken(String sessionId) {
    return login.flatMap(hub -> hub.token(sessionId));
  }

  /** Ends a session whose token the hub no longer accepts, and tells the browser to drop its cookie. */
  void endSession(RoutingContext ctx, String sessionId) {
    login.ifPresent(hub -> hub.end(sessionId));
    forgetSession(ctx);
  }

  void forgetSession(RoutingContext ctx) {
    ctx.response().addCookie(cookie(ctx, SESSION_COOKIE, "", 0));
  }

  /** Whether a cookie-authenticated request may do what it asks: reads always, changes only with the header. */
  static boolean passesCsrfCheck(RoutingContext ctx) {
    return SAFE.contains(ctx.request().method()) || hasCsrfHeader(ctx);
  }

  static BridgeException csrfRefused() {
    return new BridgeException("csrf_header_missing", 403, "A request that changes something and is signed in by the"
        + " session cookie must send the header '" + CSRF_HEADER + "' (the web UI does); scripts send"
        + " 'Authorization: Bearer <token>' instead");
  }

  private static boolean hasCsrfHeader(RoutingContext ctx) {
    String value = ctx.request().getHeader(CSRF_HEADER);
    return value != null && !value.isBlank();
  }

  /**
   * Whether {@code next} is a path under the bridge's own prefix and nothing else: no scheme or host, no
   * {@code //} or backslash a browser would read as another host, no dot segments leaving the prefix.
   */
  static boolean isSafeNext(String next, String basePath) {
    String prefix = basePath + "/";
    if (next.length() > 2000 || !next.startsWith(prefix) || next.startsWith("//")
        || next.chars().anyMatch(c -> c < 0x21 || c > 0x7e || c == '\\')) {
      return false;
    }
    try {
      URI uri = new URI(next);
      String path = uri.getRawPath();
      return uri.getScheme() == null && uri.getRawAuthority() == null && path != null && path.startsWith(prefix)
          && !path.toLowerCase(Locale.ROOT).contains("%2e") && path.equals(uri.normalize().getRawPath());
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private HubLogin hubLogin() {
    return login.orElseThrow(() -> new BridgeException("hub_login_unavailable", 404, "This bridge does not log in"
        + " through JupyterHub (it was started without hub OAuth); send 'Authorization: Bearer <token>'"));
  }

  private Cookie cookie(RoutingContext ctx, String name, String value, long maxAgeSeconds) {
    String forwarded = ctx.request().getHeader("X-Forwarded-Proto");
    boolean https = ctx.request().isSSL()
        || (forwarded != null && forwarded.split(",")[0].strip().equalsIgnoreCase("https"));
    return Cookie.cookie(name, value)
        .setPath(basePath + "/")
        .setHttpOnly(true)
        .setSecure(https)
        .setSameSite(CookieSameSite.STRICT)
        .setMaxAge(maxAgeSeconds);
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response()
        .setStatusCode(302)
        .putHeader(HttpHeaders.LOCATION, location)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end();
  }

  private static Optional<String> query(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
