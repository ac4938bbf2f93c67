package dev.cleanroom.bridge.auth;

import dev.cleanroom.service.auth.HubUsers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks bearer tokens against JupyterHub ({@link HubUsers}): the user a token belongs to, and their groups,
 * which give the roles ({@link Role#hubGroup()}; hub role names are accepted too). The token needs the scope
 * to read its own user's groups ({@code read:users:groups!user}), which JupyterHub gives a user's own tokens.
 * Answers are cached for {@code ttl}, so a role taken away in the hub takes effect within it.
 */
public final class HubAuthenticator implements Authenticator {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

  private final HubUsers users;

  private HubAuthenticator(HubUsers users) {
    this.users = users;
  }

  /**
   * @param hubApi the hub's API root, such as {@code http://127.0.0.1:8081/hub/api} (hub-managed services get
   *     it as {@code JUPYTERHUB_API_URL})
   */
  public static HubAuthenticator create(Vertx vertx, URI hubApi, Duration ttl, Clock clock) {
    return new HubAuthenticator(HubUsers.create(vertx, hubApi, ttl, clock));
  }

  /** How many times the hub was asked; for tests and metrics. */
  public long hubCalls() {
    return users.hubCalls();
  }

  @Override
  public Future<Optional<Caller>> authenticate(String bearerToken) {
    return users.lookup(bearerToken).map(user -> user.map(HubAuthenticator::caller));
  }

  private static Caller caller(HubUsers.HubUser user) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (List<String> names : List.of(user.groups(), user.roles())) {
      names.forEach(name -> Role.named(name).ifPresent(roles::add));
    }
    return new Caller(user.name(), roles);
  }

  public Future<Void> close() {
    return users.close();
  }
}
