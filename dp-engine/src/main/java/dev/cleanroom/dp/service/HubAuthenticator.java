package dev.cleanroom.dp.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Trusts JupyterHub's API tokens: a bearer token is checked with {@code GET {hub}/hub/api/user} and
 * {@code Authorization: token <token>}, and stands for the hub user the hub names. The single-user servers
 * of the hub pass their own {@code JUPYTERHUB_API_TOKEN} as {@code DCR_TOKEN}, so the DP ledger charges the
 * hub user. Tokens of hub services (kind {@code service}) are refused: a budget belongs to a person.
 *
 * <p>Answers are cached for {@link #DEFAULT_TTL} by the token's SHA-256 digest (the token itself is never
 * kept, logged or echoed), so a revoked hub token keeps working here for at most that long. An unknown token
 * (hub answers 401/403) is an empty user; a hub that cannot be reached or answers otherwise is a failed
 * future (the service answers 503).
 */
public final class HubAuthenticator implements Authenticator {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
  /** Unknown tokens are remembered for a shorter time, and the cache never grows past this many entries. */
  private static final Duration NEGATIVE_TTL = Duration.ofSeconds(5);
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(Optional<String> user, long expiresAtNanos) {}

  private final HttpClient client;
  private final URI userEndpoint;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

  /** {@code hub} is the hub's base URL ({@code http://127.0.0.1:8000}); a trailing {@code /hub/api} is accepted. */
  public HubAuthenticator(Vertx vertx, URI hub) {
    this(vertx, hub, DEFAULT_TTL, System::nanoTime);
  }

  HubAuthenticator(Vertx vertx, URI hub, Duration ttl, LongSupplier nanoTime) {
    String base = hub.toString().replaceAll("/+$", "");
    if (base.endsWith("/hub/api")) {
      base = base.substring(0, base.length() - "/hub/api".length());
    }
    if (!"http".equals(hub.getScheme()) && !"https".equals(hub.getScheme())) {
      throw new IllegalArgumentException("--hub-api takes an http(s) URL, got '" + hub + "'");
    }
    this.userEndpoint = URI.create(base + "/hub/api/user");
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public Future<Optional<String>> user(String bearerToken) {
    String key = digest(bearerToken);
    long now = nanoTime.getAsLong();
    Entry cached = cache.get(key);
    if (cached != null && now - cached.expiresAtNanos() < 0) {
      return Future.succeededFuture(cached.user());
    }
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(userEndpoint.toString())
        .putHeader("Authorization", "token " + bearerToken).putHeader("Accept", "application/json")
        .setTimeout(10_000);
    // The body handler is attached inside send()'s callback, on the event loop: chained after it from
    // a caller's own thread, it could come after the response had ended and wait forever.
    return client.request(request)
        .compose(req -> req.send().compose(response -> response.body().map(body -> {
          int status = response.statusCode();
          if (status == 401 || status == 403) {
            return Optional.<String>empty();
          }
          if (status != 200) {
            throw new IllegalStateException("JupyterHub answered " + status + " to " + userEndpoint);
          }
          JsonObject model = new JsonObject(body.toString(StandardCharsets.UTF_8));
          String kind = model.getString("kind", "user");
          String name = model.getString("name");
          return "user".equals(kind) && name != null && !name.isBlank() ? Optional.of(name) : Optional.<String>empty();
        })))
        .onSuccess(user -> remember(key, user, nanoTime.getAsLong()));
  }

  private void remember(String key, Optional<String> user, long now) {
    if (cache.size() >= MAX_ENTRIES) {
      cache.entrySet().removeIf(e -> now - e.getValue().expiresAtNanos() >= 0);
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
    }
    cache.put(key, new Entry(user, now + (user.isPresent() ? ttlNanos : Math.min(ttlNanos, NEGATIVE_TTL.toNanos()))));
  }

  /** Closes the HTTP client to the hub. */
  public Future<Void> close() {
    return client.close();
  }

  private static String digest(String token) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
