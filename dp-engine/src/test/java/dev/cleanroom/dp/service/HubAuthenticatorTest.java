package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HubAuthenticator} against a stand-in for JupyterHub's {@code GET /hub/api/user}. */
class HubAuthenticatorTest {
  private static final String ALICE = "alice-hub-token-0123456789";
  private static final String SERVICE = "service-hub-token-0123456789";
  private static final String BROKEN = "makes-the-hub-fail-0123456789";

  private Vertx vertx;
  private HttpServer hub;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong clock = new AtomicLong();
  private HubAuthenticator authenticator;

  @BeforeEach
  void startHub() throws Exception {
    vertx = Vertx.vertx();
    hub = vertx.createHttpServer().requestHandler(req -> {
      requests.incrementAndGet();
      String auth = req.getHeader("Authorization");
      if (!req.path().equals("/prefix/hub/api/user")) {
        req.response().setStatusCode(404).end();
      } else if (("token " + ALICE).equals(auth)) {
        req.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("kind", "user").put("name", "alice").encode());
      } else if (("token " + SERVICE).equals(auth)) {
        req.response().end(new JsonObject().put("kind", "service").put("name", "job-bridge").encode());
      } else if (("token " + BROKEN).equals(auth)) {
        req.response().setStatusCode(500).end();
      } else {
        req.response().setStatusCode(403).end("{\"status\": 403}");
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    authenticator = new HubAuthenticator(vertx, URI.create("http://127.0.0.1:" + hub.actualPort() + "/prefix/"),
        Duration.ofSeconds(60), clock::get);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Optional<String> user(String token) throws Exception {
    return authenticator.user(token).await(10, TimeUnit.SECONDS);
  }

  @Test
  void aHubTokenMapsToItsHubUser_andIsCachedForTheTtl() throws Exception {
    assertEquals(Optional.of("alice"), user(ALICE));
    assertEquals(Optional.of("alice"), user(ALICE));
    assertEquals(1, requests.get(), "the second lookup comes from the cache");

    clock.addAndGet(Duration.ofSeconds(61).toNanos());
    assertEquals(Optional.of("alice"), user(ALICE));
    assertEquals(2, requests.get(), "after the TTL the hub is asked again");
  }

  @Test
  void unknownAndServiceTokensAreNoUser() throws Exception {
    assertEquals(Optional.empty(), user("not-a-hub-token-0123456789"));
    assertEquals(Optional.empty(), user(SERVICE));
  }

  @Test
  void everyLookupFromAThreadOutsideVertxGetsItsAnswer() throws Exception {
    // A thousand uncached lookups: once in about 150 the response used to end before its body was read.
    for (int i = 0; i < 1_000; i++) {
      assertEquals(Optional.empty(), authenticator.user("unknown-token-" + i + "-0123456789").await(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void aFailingHubIsAFailure_notAnUnknownUser() {
    assertThrows(Exception.class, () -> user(BROKEN));
  }

  @Test
  void anUnreachableHubIsAFailure() throws Exception {
    int port = hub.actualPort();
    hub.close().await(10, TimeUnit.SECONDS);
    HubAuthenticator gone = new HubAuthenticator(vertx, URI.create("http://127.0.0.1:" + port + "/hub/api"));
    assertThrows(Exception.class, () -> gone.user(ALICE).await(20, TimeUnit.SECONDS));
  }
}
