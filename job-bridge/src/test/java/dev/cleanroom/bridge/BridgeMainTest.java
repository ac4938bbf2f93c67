package dev.cleanroom.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.auth.HubOAuth;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.ProcessTeePlatform;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeMainTest {
  @TempDir Path dir;

  private List<String> required() throws Exception {
    List<String> args = new ArrayList<>(List.of("--database", "jdbc:sqlite:" + dir.resolve("jobs.db"),
        "--work", dir.resolve("work").toString(), "--storage", dir.resolve("storage").toString(),
        "--tee", ProcessTeePlatform.NAME, "--dataset", BridgeFixture.datasetSpecs(dir).get(0)));
    return args;
  }

  @Test
  void theOptions_makeTheBridgesConfiguration() throws Exception {
    List<String> args = required();
    args.addAll(List.of("--tokens", "tokens.txt", "--port", "9000", "--max-jobs-in-flight", "2",
        "--job-timeout-minutes", "30", "--max-notebook-mb", "4", "--base-path", "/bridge/"));

    Bridge.Config config = BridgeMain.parse(args.toArray(String[]::new), Map.of());

    assertEquals(9000, config.port());
    assertEquals("127.0.0.1", config.host());
    assertEquals("/bridge", config.basePath());
    assertEquals(new Bridge.Auth.Tokens(Path.of("tokens.txt")), config.auth());
    assertEquals(2, config.limits().maxJobsInFlight());
    assertEquals(Duration.ofMinutes(30), config.limits().jobTimeout());
    assertEquals(4L << 20, config.limits().maxNotebookBytes());
    assertEquals(List.of("insurance"), config.datasets().all().stream().map(d -> d.name()).toList());
    config.platform().close();
  }

  @Test
  void asAJupyterHubService_theHubsVariablesAreTheDefaults_andTheLastAuthOptionWins() throws Exception {
    Map<String, String> hub = Map.of("JUPYTERHUB_API_URL", "http://127.0.0.1:8081/hub/api",
        "JUPYTERHUB_SERVICE_PREFIX", "/services/bridge/");

    Bridge.Config asService = BridgeMain.parse(required().toArray(String[]::new), hub);
    List<String> tokensLast = required();
    tokensLast.addAll(List.of("--hub-api", "http://hub/hub/api", "--tokens", "t.txt"));
    Bridge.Config withTokens = BridgeMain.parse(tokensLast.toArray(String[]::new), hub);

    assertEquals(new Bridge.Auth.Hub(URI.create("http://127.0.0.1:8081/hub/api"), Duration.ofSeconds(30)), asService.auth());
    assertEquals("/services/bridge", asService.basePath());
    assertEquals(new Bridge.Auth.Tokens(Path.of("t.txt")), withTokens.auth());
    asService.platform().close();
    withTokens.platform().close();
  }

  @Test
  void asAJupyterHubServiceWithOAuth_theBridgeLogsUsersInThroughTheHub_andListensWhereTheProxySends() throws Exception {
    // What JupyterHub 6.1 gives a managed service with a url (services/service.py, Spawner.get_env).
    Map<String, String> hub = Map.of("JUPYTERHUB_API_URL", "http://127.0.0.1:8002/hub/api",
        "JUPYTERHUB_SERVICE_PREFIX", "/services/bridge/", "JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101",
        "JUPYTERHUB_CLIENT_ID", "service-bridge", "JUPYTERHUB_API_TOKEN", "service-api-token-0123456789",
        "JUPYTERHUB_BASE_URL", "/", "JUPYTERHUB_HOST", "",
        "JUPYTERHUB_OAUTH_CALLBACK_URL", "/services/bridge/oauth_callback", "JUPYTERHUB_PUBLIC_URL", "");

    Bridge.Config config = BridgeMain.parse(required().toArray(String[]::new), hub);

    HubOAuth oauth = new HubOAuth("service-bridge", "service-api-token-0123456789", "/", "/services/bridge/oauth_callback");
    assertEquals(new Bridge.Auth.Hub(URI.create("http://127.0.0.1:8002/hub/api"), Duration.ofSeconds(30),
        Optional.of(oauth)), config.auth());
    assertEquals("/hub/api/oauth2/authorize", oauth.authorizeUrl(), "through the hub's proxy, like the page");
    assertEquals("127.0.0.1", config.host());
    assertEquals(10101, config.port());
    assertFalse(config.auth().toString().contains("service-api-token"), "the client secret is never printed");
    config.platform().close();
  }

  @Test
  void hubOAuthOptions_needTheHub_andACallbackTheBridgeServes() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), "service-api-token-0123456789\n");
    List<String> withOptions = required();
    withOptions.addAll(List.of("--hub-api", "http://hub:8081/hub/api", "--hub-oauth-client", "service-bridge",
        "--hub-oauth-secret-file", secret.toString(), "--hub-url", "https://hub.example.org", "--base-path", "/bridge"));
    List<String> tokensOnly = required();
    tokensOnly.addAll(List.of("--tokens", "t.txt", "--hub-oauth-client", "service-bridge"));
    Map<String, String> elsewhere = Map.of("JUPYTERHUB_API_URL", "http://127.0.0.1:8002/hub/api",
        "JUPYTERHUB_SERVICE_PREFIX", "/services/bridge/", "JUPYTERHUB_CLIENT_ID", "service-bridge",
        "JUPYTERHUB_API_TOKEN", "t0123456789", "JUPYTERHUB_OAUTH_CALLBACK_URL", "/services/other/oauth_callback");

    Bridge.Config config = BridgeMain.parse(withOptions.toArray(String[]::new), Map.of());
    IllegalArgumentException noHub = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(tokensOnly.toArray(String[]::new), Map.of()));
    IllegalArgumentException wrongCallback = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(required().toArray(String[]::new), elsewhere));

    HubOAuth oauth = ((Bridge.Auth.Hub) config.auth()).oauth().orElseThrow();
    assertEquals("service-api-token-0123456789", oauth.clientSecret());
    assertEquals("https://hub.example.org/hub/api/oauth2/authorize", oauth.authorizeUrl());
    assertEquals("/bridge/oauth_callback", oauth.callbackUrl());
    assertTrue(noHub.getMessage().contains("needs --hub-api"), noHub.getMessage());
    assertTrue(wrongCallback.getMessage().contains("oauth_redirect_uri")
        && wrongCallback.getMessage().contains("/services/bridge/oauth_callback"), wrongCallback.getMessage());
    config.platform().close();
  }

  @Test
  void missingOrUnknownOptions_sayWhat() throws Exception {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(new String[] {"--tokens", "t"}, Map.of()));
    List<String> noAuth = required();
    IllegalArgumentException auth = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(noAuth.toArray(String[]::new), Map.of()));
    List<String> unknownTee = required();
    unknownTee.addAll(List.of("--tokens", "t", "--tee", "moon"));
    IllegalArgumentException tee = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(unknownTee.toArray(String[]::new), Map.of()));

    assertTrue(missing.getMessage().contains("--database, --work, --storage, --tee and at least one --dataset"), missing.getMessage());
    assertTrue(auth.getMessage().contains("--tokens FILE or --hub-api URL"), auth.getMessage());
    assertTrue(tee.getMessage().contains("no TEE platform 'moon'") && tee.getMessage().contains("local"), tee.getMessage());
  }

  @Test
  void aPortAlreadyInUse_isNamedWithWhatToDo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<String> args = required();
      args.addAll(List.of("--tokens", BridgeFixture.writeTokens(dir).toString(), "--port",
          Integer.toString(taken.getLocalPort())));
      Bridge.Config config = BridgeMain.parse(args.toArray(String[]::new), Map.of());

      IOException busy = assertThrows(IOException.class, () -> Bridge.start(config));

      assertTrue(busy.getMessage().startsWith("could not listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
          && busy.getMessage().endsWith("choose another --port"), busy.getMessage());
    }
  }
}
