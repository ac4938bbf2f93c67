package dev.cleanroom.bridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cleanroom.bridge.testing.FakeHub;
import dev.cleanroom.service.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hub groups and roles become the bridge's roles; caching and failures are HubUsersTest's (service-base). */
@ExtendWith(VertxExtension.class)
class HubAuthenticatorTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private FakeHub hub;
  private HubAuthenticator authenticator;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    hub = FakeHub.start(vertx);
    hub.user("alice-hub-token-1234", "alice", List.of("scientists"), List.of("user"));
    hub.user("pat-hub-token-12345678", "pat", List.of("providers", "scientists"), List.of("user"));
    hub.user("audrey-hub-token-1234", "audrey", List.of(), List.of("user", "auditor"));
    authenticator = HubAuthenticator.create(vertx, hub.apiUrl(), Duration.ofSeconds(30), clock);
  }

  @AfterEach
  void stop() throws Exception {
    hub.close();
  }

  private static Optional<Caller> await(Future<Optional<Caller>> f) throws Exception {
    return f.await(10, TimeUnit.SECONDS);
  }

  @Test
  void hubGroupsAndRolesBecomeRoles() throws Exception {
    assertEquals(Optional.of(Caller.of("alice", Role.SCIENTIST)), await(authenticator.authenticate("alice-hub-token-1234")));
    assertEquals(Optional.of(Caller.of("pat", Role.PROVIDER, Role.SCIENTIST)), await(authenticator.authenticate("pat-hub-token-12345678")));
    assertEquals(Optional.of(Caller.of("audrey", Role.AUDITOR)), await(authenticator.authenticate("audrey-hub-token-1234")));
    assertEquals("token alice-hub-token-1234", hub.authorizationHeaders().get(0), "JupyterHub's token scheme");
  }

  @Test
  void anUnknownTokenIsNobody_andAHubServiceTokenIsNoUser() throws Exception {
    hub.service("service-token-1234567", "jupyterhub-idle-culler");

    assertEquals(Optional.empty(), await(authenticator.authenticate("not-a-hub-token-1234")));
    assertEquals(Optional.empty(), await(authenticator.authenticate("service-token-1234567")));
  }

  @Test
  void answersAreCachedBriefly() throws Exception {
    List<Future<Optional<Caller>>> concurrent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      concurrent.add(authenticator.authenticate("alice-hub-token-1234"));
    }
    Future.all(concurrent).await(10, TimeUnit.SECONDS);
    assertEquals(1, authenticator.hubCalls(), "concurrent requests share one hub call");

    clock.advance(Duration.ofSeconds(29));
    await(authenticator.authenticate("alice-hub-token-1234"));
    assertEquals(1, authenticator.hubCalls());

    hub.user("alice-hub-token-1234", "alice", List.of(), List.of("user"));
    clock.advance(Duration.ofSeconds(2));
    assertEquals(Optional.of(Caller.of("alice")), await(authenticator.authenticate("alice-hub-token-1234")),
        "a role taken away in the hub is gone once the cache entry expires");
    assertEquals(2, authenticator.hubCalls());
  }
}
