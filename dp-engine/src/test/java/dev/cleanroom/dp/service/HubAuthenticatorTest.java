package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.service.testing.MutableClock;
import dev.cleanroom.service.testing.StandInHub;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HubAuthenticator} against a stand-in for JupyterHub's {@code GET /hub/api/user}: the name of a hub
 * user is the scientist charged. Caching and failures are HubUsersTest's (service-base).
 */
class HubAuthenticatorTest {
  private static final String ALICE = "alice-hub-token-0123456789";
  private static final String SERVICE = "service-hub-token-0123456789";
  private static final String AUDREY = "audrey-hub-token-0123456789";

  private Vertx vertx;
  private HubAuthenticator authenticator;

  @BeforeEach
  void startHub() throws Exception {
    vertx = Vertx.vertx();
    StandInHub hub = StandInHub.start(vertx, "")
        .token(ALICE, new JsonObject().put("kind", "user").put("name", "alice").put("groups", new JsonArray().add("scientists")))
        .token(AUDREY, new JsonObject().put("kind", "user").put("name", "audrey").put("groups", new JsonArray().add("auditors")))
        .token(SERVICE, new JsonObject().put("kind", "service").put("name", "job-bridge"));
    // As --hub-api gets it: the hub's own URL.
    authenticator = new HubAuthenticator(vertx, hub.url(""), Duration.ofSeconds(60),
        new MutableClock(Instant.parse("2026-03-01T12:00:00Z")));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Optional<Caller> user(String token) throws Exception {
    return authenticator.user(token).await(10, TimeUnit.SECONDS);
  }

  @Test
  void aHubTokenIsTheScientistTheHubNames() throws Exception {
    assertEquals(Optional.of(Caller.scientist("alice")), user(ALICE));
  }

  @Test
  void aHubUserOutsideTheScientistsGroupIsNoScientist() throws Exception {
    assertEquals(Optional.of(new Caller("audrey", false)), user(AUDREY));
  }

  @Test
  void unknownAndServiceTokensAreNoScientist() throws Exception {
    assertEquals(Optional.empty(), user("not-a-hub-token-0123456789"));
    assertEquals(Optional.empty(), user(SERVICE));
  }
}
