package dev.cleanroom.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.ProcessTeePlatform;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
}
