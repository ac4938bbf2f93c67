package dev.cleanroom.dp.service;

import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.service.auth.HubUsers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Trusts JupyterHub's API tokens: a bearer token stands for the hub user the hub names ({@link HubUsers}).
 * The single-user servers of the hub pass their own {@code JUPYTERHUB_API_TOKEN} as {@code DCR_TOKEN}, so the
 * DP ledger charges the hub user. Tokens of hub services are refused: a budget belongs to a person. A user is a
 * scientist when the hub puts them in the group {@value #SCIENTISTS}.
 *
 * <p>Answers are cached for {@link #DEFAULT_TTL}, so a revoked hub token keeps working here for at most that
 * long. An unknown token is an empty user; a hub that cannot be reached or answers otherwise is a failed
 * future (the service answers 503).
 */
public final class HubAuthenticator implements Authenticator {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
  /** The hub group of the scientists, as jupyterhub-config and the job bridge name it. */
  public static final String SCIENTISTS = "scientists";

  private final HubUsers users;

  /** {@code hub} is the hub's URL ({@code http://127.0.0.1:8000}) or its API's ({@code .../hub/api}). */
  public HubAuthenticator(Vertx vertx, URI hub) {
    this(vertx, hub, DEFAULT_TTL, Clock.systemUTC());
  }

  HubAuthenticator(Vertx vertx, URI hub, Duration ttl, Clock clock) {
    this.users = HubUsers.create(vertx, hub, ttl, clock);
  }

  @Override
  public Future<Optional<Caller>> user(String bearerToken) {
    return users.lookup(bearerToken)
        .map(user -> user.map(hubUser -> new Caller(hubUser.name(), hubUser.groups().contains(SCIENTISTS))));
  }

  /** Closes the HTTP client to the hub. */
  public Future<Void> close() {
    return users.close();
  }
}
