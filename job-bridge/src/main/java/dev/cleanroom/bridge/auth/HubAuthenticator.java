package dev.cleanroom.bridge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Checks bearer tokens against JupyterHub: {@code GET <hub api>/user} with the token answers the user it
 * belongs to and their groups, which give the roles ({@link Role#hubGroup()}; hub role names are accepted too).
 * The token needs the scope to read its own user's groups ({@code read:users:groups!user}), which JupyterHub
 * gives a user's own tokens.
 *
 * <p>Answers are cached by token digest for {@code ttl} (unknown tokens for at most {@link #NEGATIVE_TTL}), and
 * concurrent requests with one token share one hub call; so a role taken away in the hub takes effect within
 * {@code ttl}. Only users count: a token of a hub service is refused.
 */
public final class HubAuthenticator implements Authenticator {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  static final Duration NEGATIVE_TTL = Duration.ofSeconds(5);
  private static final int MAX_ENTRIES = 10_000;
  static final int TIMEOUT_MILLIS = 5_000;

  private record Entry(Future<Optional<Caller>> caller, Instant expires) {}

  private final HttpClient http;
  private final URI userUrl;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final LongAdder hubCalls = new LongAdder();

  private HubAuthenticator(HttpClient http, URI userUrl, Duration ttl, Clock clock) {
    this.http = http;
    this.userUrl = userUrl;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * @param hubApi the hub's API root, such as {@code http://127.0.0.1:8081/hub/api} (hub-managed services get
   *     it as {@code JUPYTERHUB_API_URL})
   */
  public static HubAuthenticator create(Vertx vertx, URI hubApi, Duration ttl, Clock clock) {
    return new HubAuthenticator(client(vertx, hubApi), endpoint(hubApi, "user"), ttl, clock);
  }

  /** An HTTP client for the hub's API; {@link HubLogin} uses one too. */
  static HttpClient client(Vertx vertx, URI hubApi) {
    return vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(TIMEOUT_MILLIS)
        .setSsl("https".equals(hubApi.getScheme())));
  }

  /** An endpoint under the hub's API root, which may or may not end in a slash. */
  static URI endpoint(URI hubApi, String path) {
    String root = hubApi.toString().endsWith("/") ? hubApi.toString() : hubApi + "/";
    return URI.create(root).resolve(path);
  }

  /** How many times the hub was asked; for tests and metrics. */
  public long hubCalls() {
    return hubCalls.sum();
  }

  @Override
  public Future<Optional<Caller>> authenticate(String bearerToken) {
    String digest = TokenDigest.of(bearerToken);
    Instant now = clock.instant();
    Entry cached = cache.get(digest);
    if (cached != null && now.isBefore(cached.expires())) {
      return cached.caller();
    }
    Future<Optional<Caller>> asked = ask(bearerToken);
    // In the cache while the call is under way, so concurrent requests with the same token share it.
    cache.put(digest, new Entry(asked, now.plus(ttl)));
    trim(now);
    asked.onComplete(result -> {
      if (result.failed()) {
        cache.remove(digest);
      } else if (result.result().isEmpty()) {
        cache.put(digest, new Entry(asked, clock.instant().plus(ttl.compareTo(NEGATIVE_TTL) < 0 ? ttl : NEGATIVE_TTL)));
      }
    });
    return asked;
  }

  private Future<Optional<Caller>> ask(String token) {
    hubCalls.increment();
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(userUrl.toString())
        .putHeader("Authorization", "token " + token)
        .putHeader("Accept", "application/json")
        .setIdleTimeout(TIMEOUT_MILLIS);
    // The body handler is attached inside send()'s callback, on the event loop: chained after it from
    // a caller's own thread, it could come after the response had ended and wait forever.
    return http.request(request)
        .compose(r -> r.send().compose(response -> response.body().map(body -> switch (response.statusCode()) {
          case 200 -> caller(body.toJsonObject());
          case 401, 403, 404 -> Optional.<Caller>empty();
          default -> throw new IllegalStateException("JupyterHub answered HTTP " + response.statusCode());
        })));
  }

  private static Optional<Caller> caller(JsonObject user) {
    String kind = user.getString("kind", "user");
    String name = user.getString("name", "");
    if (!kind.equals("user") || name.isBlank()) {
      return Optional.empty();
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String field : new String[] {"groups", "roles"}) {
      JsonArray names = user.getJsonArray(field, new JsonArray());
      for (Object n : names) {
        if (n instanceof String s) {
          Role.named(s).ifPresent(roles::add);
        }
      }
    }
    return Optional.of(new Caller(name, roles));
  }

  private void trim(Instant now) {
    if (cache.size() <= MAX_ENTRIES) {
      return;
    }
    cache.values().removeIf(e -> !now.isBefore(e.expires()));
    for (Iterator<String> keys = cache.keySet().iterator(); cache.size() > MAX_ENTRIES && keys.hasNext(); ) {
      keys.next();
      keys.remove();
    }
  }

  public Future<Void> close() {
    return http.close();
  }
}
