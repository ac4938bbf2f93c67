package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.verify;

import com.google.cloud.compute.v1.InsertInstanceRequest;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.Items;
import dev.cleanroom.bridge.backend.TeeBackend.LaunchRequest;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.LaunchPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The VMs the bridge asks for and the images it builds, against the checks Google's Confidential Space launcher
 * makes before it starts a container (go-tpm-tools {@code launcher/spec}: {@code GetLaunchPolicy},
 * {@code LaunchPolicy.Verify} and the metadata rules of the launch spec), written out below from their documented
 * behaviour. A run refused there would fail on a real VM although every other test passed.
 */
class ConfidentialSpaceLaunchPolicyTest {
  private static final String JOB = "job-k3v9x2m4q7b1c8d5";
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final String IMAGE = "us-docker.pkg.dev/clean-room-prod/cleanroom/" + JOB + "@" + DIGEST;
  private static final Map<String, String> ENVIRONMENT = Map.of(
      JobConfig.JOB_ID, JOB,
      JobConfig.AUDIENCE, "https://bridge.example/attest",
      JobConfig.INPUTS, "insurance/real.csv=" + "0".repeat(64),
      JobConfig.TIMEOUT, "3600",
      JobConfig.JOB_PLAN_URL, "https://storage.googleapis.com/b/jobs/" + JOB + "/plan.json?X-Goog-Signature=00");

  private InstancesClient instances;

  @BeforeEach
  void compute() throws Exception {
    instances = ConfidentialSpacePlatformTest.computeWithoutTheVm(JOB);
  }

  /**
   * Why Google's launcher would refuse to start the image with these labels on a VM with this metadata, or empty.
   *
   * @param hardened whether the VM boots the production image (family {@code confidential-space}), not the debug one
   */
  static Optional<String> googleRefusal(Map<String, String> labels, Map<String, String> metadata, boolean hardened) {
    if (metadata.getOrDefault("tee-image-reference", "").isEmpty()) {
      return Optional.of("tee-image-reference is required");
    }
    String redirect = metadata.getOrDefault("tee-container-log-redirect", "false");
    if (!List.of("false", "true", "cloud_logging", "serial").contains(redirect)) {
      return Optional.of("invalid tee-container-log-redirect " + redirect);
    }
    boolean redirected = !redirect.equals("false");
    // Labels: allow_env_override is a comma list; allow_cmd_override a boolean; log_redirect one of always, never,
    // debugonly, which is also what an image without the label gets.
    List<String> allowedEnv = Arrays.stream(labels.getOrDefault(LaunchPolicy.ALLOW_ENV_OVERRIDE, "").split(","))
        .filter(s -> !s.isEmpty()).toList();
    String cmdOverride = labels.getOrDefault(LaunchPolicy.ALLOW_CMD_OVERRIDE, "false");
    if (!List.of("true", "false").contains(cmdOverride)) {
      return Optional.of("invalid image LABEL " + LaunchPolicy.ALLOW_CMD_OVERRIDE);
    }
    String logPolicy = labels.getOrDefault(LaunchPolicy.LOG_REDIRECT, "debugonly").strip().toLowerCase(java.util.Locale.ROOT);
    if (!List.of("always", "never", "debugonly").contains(logPolicy)) {
      return Optional.of("invalid image LABEL " + LaunchPolicy.LOG_REDIRECT);
    }
    for (String key : metadata.keySet()) {
      if (key.startsWith("tee-env-") && !allowedEnv.contains(key.substring("tee-env-".length()))) {
        return Optional.of("env var " + key.substring("tee-env-".length()) + " is not allowed to be overridden on this image");
      }
    }
    if (!metadata.getOrDefault("tee-cmd", "").isEmpty() && !metadata.get("tee-cmd").equals("[]") && !cmdOverride.equals("true")) {
      return Optional.of("CMD is not allowed to be overridden on this image");
    }
    if (logPolicy.equals("never") && redirected) {
      return Optional.of("logging redirection not allowed by image");
    }
    if (logPolicy.equals("debugonly") && redirected && hardened) {
      return Optional.of("logging redirection only allowed on debug environment by image");
    }
    return Optional.empty();
  }

  private record Vm(Map<String, String> metadata, boolean hardened) {}

  private Vm launched(boolean debug) throws Exception {
    ConfidentialSpaceSettings settings = ConfidentialSpaceSettings.builder("clean-room-prod", "us-central1-a",
        "dcr-workload@clean-room-prod.iam.gserviceaccount.com").debugAllowed(true).build();
    new ConfidentialSpaceBackend(instances, settings, ResultProbe.NONE)
        .launch(new LaunchRequest(JOB, IMAGE, DIGEST, ENVIRONMENT, debug, Duration.ofHours(1)));
    ArgumentCaptor<InsertInstanceRequest> insert = ArgumentCaptor.forClass(InsertInstanceRequest.class);
    verify(instances).insertAsync(insert.capture());
    Instance vm = insert.getValue().getInstanceResource();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Items item : vm.getMetadata().getItemsList()) {
      metadata.put(item.getKey(), item.getValue());
    }
    String bootImage = vm.getDisks(0).getInitializeParams().getSourceImage();
    return new Vm(metadata, !bootImage.endsWith("/confidential-space-debug"));
  }

  @Test
  void aProductionRun_passesGooglesLaunchPolicyCheck_onTheHardenedImage() throws Exception {
    Vm vm = launched(false);

    assertEquals(true, vm.hardened());
    assertEquals(Optional.empty(), googleRefusal(LaunchPolicy.production().labels(), vm.metadata(), vm.hardened()));
  }

  @Test
  void aDebugRun_passesGooglesLaunchPolicyCheck_onTheDebugImage() throws Exception {
    Vm vm = launched(true);

    assertEquals(false, vm.hardened());
    assertEquals("true", vm.metadata().get("tee-container-log-redirect"));
    assertEquals(Optional.empty(), googleRefusal(LaunchPolicy.production().labels(), vm.metadata(), vm.hardened()));
  }

  /** The image's label keeps the log in production whatever the operator writes into the VM's metadata. */
  @Test
  void anOperatorsLogRedirectOnTheHardenedImage_isRefusedByTheImagesLabel() throws Exception {
    Map<String, String> metadata = new LinkedHashMap<>(launched(false).metadata());
    metadata.put("tee-container-log-redirect", "true");

    assertEquals(Optional.of("logging redirection only allowed on debug environment by image"),
        googleRefusal(LaunchPolicy.production().labels(), metadata, true));
  }

  @Test
  void anOperatorsVariableTheImageDoesNotAllow_isRefused() throws Exception {
    Map<String, String> metadata = new LinkedHashMap<>(launched(false).metadata());
    metadata.put("tee-env-JAVA_TOOL_OPTIONS", "-javaagent:/tmp/a.jar");

    assertEquals(Optional.of("env var JAVA_TOOL_OPTIONS is not allowed to be overridden on this image"),
        googleRefusal(LaunchPolicy.production().labels(), metadata, true));
  }
}
