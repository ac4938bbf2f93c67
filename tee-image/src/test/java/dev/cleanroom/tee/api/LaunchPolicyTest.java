package dev.cleanroom.tee.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LaunchPolicyTest {
  @Test
  void production_allowsOnlyTheJobVariables_redirectsLogsOnTheDebugImageOnly_neverOverridesTheCommand() {
    Map<String, String> labels = LaunchPolicy.production().labels();
    assertEquals("DCR_AUDIENCE,DCR_CELL_TIMEOUT_SECONDS,DCR_INPUTS,DCR_JOB_ID,DCR_JOB_PLAN_URL,DCR_MAX_OUTPUT_BYTES,DCR_TIMEOUT_SECONDS",
        labels.get(LaunchPolicy.ALLOW_ENV_OVERRIDE));
    assertEquals("debugonly", labels.get(LaunchPolicy.LOG_REDIRECT));
    assertEquals("false", labels.get(LaunchPolicy.ALLOW_CMD_OVERRIDE));
  }

  @Test
  void allowingAVariableTheLauncherDoesNotRead_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new LaunchPolicy(Set.of("DCR_STAGE"), LaunchPolicy.LogRedirect.NEVER, LaunchPolicy.Sandbox.standard()));
  }

  @Test
  void debugOnly_isConfidentialSpacesSpelling() {
    assertEquals("debugonly",
        new LaunchPolicy(Set.of(), LaunchPolicy.LogRedirect.DEBUG_ONLY, LaunchPolicy.Sandbox.standard()).labels().get(LaunchPolicy.LOG_REDIRECT));
  }

  @Test
  void theSandboxLimits_roundTripThroughTheLabels() {
    LaunchPolicy.Sandbox sandbox = new LaunchPolicy.Sandbox(256, 1L << 30, 500);
    assertEquals(sandbox, LaunchPolicy.Sandbox.fromLabels(
        new LaunchPolicy(Set.of(), LaunchPolicy.LogRedirect.NEVER, sandbox).labels()));
  }

  @Test
  void anImageWithoutSandboxLabels_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> LaunchPolicy.Sandbox.fromLabels(LaunchPolicy.production().labels()
        .entrySet().stream().filter(e -> !e.getKey().equals(LaunchPolicy.Sandbox.PIDS_LIMIT))
        .collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue))));
  }

  @Test
  void limitsTooSmallForTwoJvms_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LaunchPolicy.Sandbox(16, 2L << 30, 2000));
  }
}
