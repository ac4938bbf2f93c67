package dev.cleanroom.bridge.auth;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.service.auth.HubUsers;
import dev.cleanroom.service.auth.TokenDigest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Logs browser users in through JupyterHub's OAuth (authorization code with PKCE, as JupyterHub's own
 * {@code HubOAuth} does) and keeps their sessions.
 *
 * <p>{@link #start} makes a random state, which the caller binds to the browser in a short-lived cookie;
 * {@link #finish} accepts the hub's code only with that same state, exchanges it for the user's hub OAuth token
 * and opens a session. The token stays in this process: the browser holds only a random session id, so page
 * scripts can never read the token, and logging out ends the session here. Sessions live in memory: after a
 * restart the web UI logs in again, which the hub answers without asking while the user's hub login lasts.
 * Who the user is, is never decided here: the session's token goes through the {@link HubAuthenticator} on every
 * request like any other token.
 */
public final class HubLogin {
  /** How long a started login may take; the state cookie lasts as long. */
  public static final Duration STATE_TTL = Duration.ofMinutes(10);
  /** The longest a session lasts, whatever the hub says of its token. */
  public static final Duration MAX_SESSION = Duration.ofHours(12);
  private static final int MAX_ENTRIES = 100_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Pending(String next, String codeVerifier, Instant expires) {}

  private record Session(String token, Instant expires) {}

  /** A login under way: send the browser to {@code authorizeUrl}, with {@code state} in its state cookie. */
  public record Started(String state, String authorizeUrl) {}

  /** A finished login: {@code sessionId} goes into the session cookie, the browser to {@code next}. */
  public record SignedIn(String sessionId, String next, Duration lifetime) {}

  private final HttpClient http;
  private final HubOAuth oauth;
  private final URI tokenUrl;
  private final Clock clock;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  private HubLogin(HttpClient http, HubOAuth oauth, URI tokenUrl, Clock clock) {
    this.http = http;
    this.oauth = oauth;
    this.tokenUrl = tokenUrl;
    this.clock = clock;
  }

  /** @param hubApi the hub's API root ({@code JUPYTERHUB_API_URL}); its {@code oauth2/token} takes the codes */
  public static HubLogin create(Vertx vertx, URI hubApi, HubOAuth oauth, Clock clock) {
    return new HubLogin(HubUsers.client(vertx, hubApi), oauth, HubUsers.endpoint(hubApi, "oauth2/token"),
        clock);
  }

  public HubOAuth oauth() {
    return oauth;
  }

  /** Starts a login that ends at {@code next} (a path the caller has checked: it is redirected to as given). */
  public Started start(String next) {
    Instant now = clock.instant();
    String state = random();
    String verifier = random();
    trim(pending, now, p -> p.expires());
    pending.put(TokenDigest.of(state), new Pending(next, verifier, now.plus(STATE_TTL)));
    Map<String, String> query = new LinkedHashMap<>();
    query.put("client_id", oauth.clientId());
    query.put("redirect_uri", oauth.callbackUrl());
    query.put("response_type", "code");
    query.put("state", state);
    query.put("code_challenge", Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier)));
    query.put("code_challenge_method", "S256");
    return new Started(state, oauth.authorizeUrl() + "?" + form(query));
  }

  /**
   * Ends a login: {@code state} from the hub's redirect must be the one in the browser's state cookie and one this
   * bridge started less than {@link #STATE_TTL} ago (each is used once); then the hub exchanges {@code code} for the
   * user's token. Fails with a {@link BridgeException} saying what to do.
   */
  public Future<SignedIn> finish(String state, String stateCookie, String code) {
    if (state.isEmpty() || stateCookie.isEmpty()
        || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), stateCookie.getBytes(StandardCharsets.UTF_8))) {
      return Future.failedFuture(stateRefused());
    }
    Pending login = pending.remove(TokenDigest.of(state));
    if (login == null || !clock.instant().isBefore(login.expires())) {
      return Future.failedFuture(stateRefused());
    }
    if (code.isEmpty()) {
      return Future.failedFuture(new BridgeException("oauth_code_missing", 400,
          "JupyterHub's redirect carried no code; log in again"));
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", oauth.callbackUrl());
    form.put("client_id", oauth.clientId());
    form.put("client_secret", oauth.clientSecret());
    form.put("code_verifier", login.codeVerifier());
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(tokenUrl.toString())
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Accept", "application/json")
        .setIdleTimeout(HubUsers.TIMEOUT_MILLIS);
    // The body handler is attached inside send()'s callback (see HubUsers.ask).
    return http.request(request)
        .compose(r -> r.send(Buffer.buffer(form(form))).compose(response -> response.body().map(body ->
            switch (response.statusCode()) {
              case 200 -> open(body, login.next());
              case 400, 401, 403 -> throw new BridgeException("oauth_code_refused", 403,
                  "JupyterHub did not accept the login (a code is good once, for 5 minutes); log in again");
              default -> throw hubUnavailable();
            })))
        .recover(failure -> Future.failedFuture(
            failure instanceof BridgeException refused ? refused : hubUnavailable()));
  }

  private SignedIn open(Buffer body, String next) {
    JsonObject reply;
    try {
      reply = body.toJsonObject();
    } catch (DecodeException e) {
      throw hubUnavailable();
    }
    String token = reply.getString("access_token", "");
    if (token.isEmpty()) {
      throw hubUnavailable();
    }
    long expiresIn = reply.getLong("expires_in", 0L);
    Duration lifetime = expiresIn > 0 && expiresIn < MAX_SESSION.toSeconds() ? Duration.ofSeconds(expiresIn) : MAX_SESSION;
    Instant now = clock.instant();
    trim(sessions, now, s -> s.expires());
    String sessionId = random();
    sessions.put(TokenDigest.of(sessionId), new Session(token, now.plus(lifetime)));
    return new SignedIn(sessionId, next, lifetime);
  }

  /** The hub token of a session that has not ended or expired. */
  public Optional<String> token(String sessionId) {
    String key = TokenDigest.of(sessionId);
    Session session = sessions.get(key);
    if (session == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(session.expires())) {
      sessions.remove(key);
      return Optional.empty();
    }
    return Optional.of(session.token());
  }

  /** Ends a session (logging out, or a token the hub no longer accepts). */
  public void end(String sessionId) {
    sessions.remove(TokenDigest.of(sessionId));
  }

  public Future<Void> close() {
    return http.close();
  }

  private static BridgeException stateRefused() {
    return new BridgeException("oauth_state_mismatch", 403,
        "This login was not started in this browser, or took longer than 10 minutes; log in again");
  }

  private static BridgeException hubUnavailable() {
    return new BridgeException("authenticator_unavailable", 503,
        "The bridge could not finish the login with JupyterHub; try again shortly");
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** Keeps a map bounded against a flood of logins: expired entries go first, then any. */
  private static <V> void trim(Map<String, V> map, Instant now, Function<V, Instant> expires) {
    if (map.size() < MAX_ENTRIES) {
      return;
    }
    map.values().removeIf(v -> !now.isBefore(expires.apply(v)));
    for (Iterator<String> keys = map.keySet().iterator(); map.size() >= MAX_ENTRIES && keys.hasNext(); ) {
      keys.next();
      keys.remove();
    }
  }
}
