package dev.cleanroom.service.auth;

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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who a JupyterHub API token belongs to: {@code GET <hub api>/user} with {@code Authorization: token <token>}
 * answers the user and, with the scope {@code read:users:groups!user} (a user's own tokens have it), their
 * groups. Only people count: a token of a hub service is no user.
 *
 * <p>Answers are cached by the token's digest (the token itself is never kept, logged or echoed) for
 * {@code ttl}, unknown tokens for at most {@link #NEGATIVE_TTL}; so a token revoked in the hub, or a group
 * taken away, takes effect within {@code ttl}. Concurrent lookups of one token share one call to the hub.
 * A token the hub refuses (401, 403) is an empty answer; a hub that cannot be reached or answers anything
 * else (a 404 means the API URL is wrong) is a failed future, which the services turn into a 503.
 */
public final class HubUsers {
  /** A hub user as the hub describes them. */
  public record HubUser(String name, List<String> groups, List<String> roles) {
    public HubUser {
      groups = List.copyOf(groups);
      roles = List.copyOf(roles);
    }
  }

  static final Duration NEGATIVE_TTL = Duration.ofSeconds(5);
  private static final int MAX_ENTRIES = 10_000;
  /** How long a call to the hub's API may take to connect, and to go quiet mid-answer. */
  public static final int TIMEOUT_MILLIS = 5_000;

  private record Entry(Future<Optional<HubUser>> user, Instant expires) {}

  private final HttpClient http;
  private final URI userUrl;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final LongAdder hubCalls = new LongAdder();

  private HubUsers(HttpClient http, URI userUrl, Duration ttl, Clock clock) {
    this.http = http;
    this.userUrl = userUrl;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * @param hubApi the hub's API root, such as {@code http://127.0.0.1:8081/hub/api} (hub-managed services get
   *     it as {@code JUPYTERHUB_API_URL}); the hub's own URL ({@code http://127.0.0.1:8000}) is taken as its
   *     {@code /hub/api}
   */
  public static HubUsers create(Vertx vertx, URI hubApi, Duration ttl, Clock clock) {
    return new HubUsers(client(vertx, hubApi), endpoint(hubApi, "user"), ttl, clock);
  }

  /** An HTTP client for the hub's API. */
  public static HttpClient client(Vertx vertx, URI hubApi) {
    return vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(TIMEOUT_MILLIS)
        .setSsl("https".equals(hubApi.getScheme())));
  }

  /** An endpoint under the hub's API root, such as {@code user} → {@code http://127.0.0.1:8081/hub/api/user}. */
  public static URI endpoint(URI hubApi, String path) {
    if (!"http".equals(hubApi.getScheme()) && !"https".equals(hubApi.getScheme())) {
      throw new IllegalArgumentException("The hub's API takes an http(s) URL, got '" + hubApi + "'");
    }
    String root = hubApi.toString().replaceAll("/+$", "");
    if (!root.endsWith("/hub/api")) {
      root = root + "/hub/api";
    }
    return URI.create(root + "/" + path);
  }

  /** How many times the hub was asked; for tests and metrics. */
  public long hubCalls() {
    return hubCalls.sum();
  }

  /** The user the token belongs to, or empty for a token the hub does not accept or a service's token. */
  public Future<Optional<HubUser>> lookup(String token) {
    String digest = TokenDigest.of(token);
    Instant now = clock.instant();
    Entry cached = cache.get(digest);
    if (cached != null && now.isBefore(cached.expires())) {
      return cached.user();
    }
    Future<Optional<HubUser>> asked = ask(token);
    // In the cache while the call is under way, so concurrent lookups of the same token share it.
    Entry entry = new Entry(asked, now.plus(ttl));
    cache.put(digest, entry);
    trim(now);
    asked.onComplete(result -> {
      // Only this call's own entry: a newer call's may have replaced it meanwhile.
      if (result.failed()) {
        cache.remove(digest, entry);
      } else if (result.result().isEmpty()) {
        cache.replace(digest, entry,
            new Entry(asked, clock.instant().plus(ttl.compareTo(NEGATIVE_TTL) < 0 ? ttl : NEGATIVE_TTL)));
      }
    });
    return asked;
  }

  private Future<Optional<HubUser>> ask(String token) {
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
          case 200 -> user(body.toJsonObject());
          case 401, 403 -> Optional.<HubUser>empty();
          default -> throw new IllegalStateException("JupyterHub answered HTTP " + response.statusCode() + " at "
              + userUrl + (response.statusCode() == 404 ? "; is that the hub's API URL?" : ""));
        })));
  }

  private static Optional<HubUser> user(JsonObject model) {
    String kind = model.getString("kind", "user");
    String name = model.getString("name", "");
    if (!kind.equals("user") || name.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(new HubUser(name, strings(model.getJsonArray("groups")), strings(model.getJsonArray("roles"))));
  }

  private static List<String> strings(JsonArray array) {
    List<String> values = new ArrayList<>();
    if (array != null) {
      for (Object value : array) {
        if (value instanceof String text) {
          values.add(text);
        }
      }
    }
    return values;
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

  /** Closes the HTTP client to the hub. */
  public Future<Void> close() {
    return http.close();
  }
}
