package dev.cleanroom.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.gcp.GcpConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Google Cloud setting the bridge reads ({@link GcpConfig#keys()}) can be set through the chart: the GCP example
 * values, with each {@code bridge.gcp.*} value given, pass the chart's schema and render a ConfigMap from which the
 * bridge's own {@link GcpConfig} reads that setting back.
 */
class GcpSettingsChartTest {
  private static final List<String> OTHER_HUB = List.of("--set", "bridge.hubApiUrl=http://hub.example.internal:8081/hub/api",
      "--set", "dpService.hubApiUrl=http://hub.example.internal:8081/hub/api");
  /** Values the schema accepts for the settings that are not free text. */
  private static final Map<String, String> SAMPLES = Map.of(
      GcpConfig.CONFIDENTIAL_TYPE, "SEV",
      GcpConfig.EXTERNAL_IP, "true",
      GcpConfig.BOOT_DISK_GB, "50",
      GcpConfig.DEBUG_ALLOWED, "true",
      GcpConfig.RUN_GRACE, "PT20M",
      GcpConfig.PROJECT_NUMBER, "123456789012");

  @TempDir static Path chartCopy;
  private static Helm helm;

  @BeforeAll
  static void chart() {
    helm = Helm.withoutJupyterHub(chartCopy);
  }

  /** {@code gcp.tee.debug-image} is the chart's {@code bridge.gcp.tee.debugImage}. */
  static String chartValue(String key) {
    Matcher dash = Pattern.compile("-([a-z])").matcher(key);
    return "bridge." + dash.replaceAll(m -> m.group(1).toUpperCase(java.util.Locale.ROOT));
  }

  private static Map<String, String> bridgeSettings(List<String> extra) {
    List<String> args = new ArrayList<>(List.of("-f", helm.example("gcp-values.yaml").toString()));
    args.addAll(OTHER_HUB);
    args.addAll(extra);
    return Rendered.of(helm.template(args.toArray(String[]::new))).get(ConfigMap.class, "cleanroom-bridge").getData();
  }

  @Test
  void everyGoogleCloudSettingOfTheBridge_canBeSetThroughTheChart() {
    List<String> sets = new ArrayList<>();
    for (String key : GcpConfig.keys()) {
      // The schema takes the project's number as a string of digits, which a plain --set would make a number.
      sets.add(key.equals(GcpConfig.PROJECT_NUMBER) ? "--set-string" : "--set");
      sets.add(chartValue(key) + "=" + SAMPLES.getOrDefault(key, "value-of-" + key));
    }

    GcpConfig config = GcpConfig.from(bridgeSettings(sets));

    for (String key : GcpConfig.keys()) {
      assertEquals(Optional.of(SAMPLES.getOrDefault(key, "value-of-" + key)), config.get(key), key);
    }
  }

  @Test
  void theGcpExample_rendersSettingsTheBridgeAccepts() {
    Map<String, String> settings = bridgeSettings(List.of());

    GcpConfig config = GcpConfig.from(settings);
    assertEquals("clean-room-prod-jobs", config.bucket());
    assertEquals("c3-standard-4", config.confidentialSpace().machineType());
    assertTrue(settings.keySet().stream().allMatch(k -> k.startsWith("DCR_GCP_")), settings.toString());
  }
}
