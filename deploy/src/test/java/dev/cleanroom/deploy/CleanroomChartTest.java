package dev.cleanroom.deploy;

import static dev.cleanroom.deploy.Pods.env;
import static dev.cleanroom.deploy.Pods.option;
import static dev.cleanroom.deploy.Pods.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart helm/cleanroom without JupyterHub (jupyterhub.enabled=false, using a hub the cluster already runs),
 * rendered offline by the pinned helm from a copy whose jupyterhub dependency is a stand-in (see
 * {@link Helm#withoutJupyterHub}): it lints, renders only the clean room's own objects, each one accepted by the
 * Kubernetes API (read strictly by {@link KubernetesManifests}), its schema refuses bad values with a message that
 * names them, and its pieces are wired to each other. {@link CleanroomJupyterHubTest} covers the chart with the real
 * zero-to-jupyterhub.
 */
class CleanroomChartTest {
  private static final String BRIDGE = "cleanroom-bridge";
  private static final String DP = "cleanroom-dp-service";
  private static final String OTHER_HUB = "http://hub.example.internal:8081/hub/api";
  private static final List<String> OTHER_HUB_VALUES = List.of("--set", "bridge.hubApiUrl=" + OTHER_HUB,
      "--set", "dpService.hubApiUrl=" + OTHER_HUB);

  @TempDir
  static Path chartCopy;

  private static Helm helm;
  private static Helm.Result renderedOutput;
  private static Rendered rendered;

  @BeforeAll
  static void render() {
    helm = Helm.withoutJupyterHub(chartCopy);
    renderedOutput = helm.template(withOtherHub());
    rendered = Rendered.of(renderedOutput);
  }

  @Test
  void lint_withAnotherHub_passes() {
    assertTrue(helm.lint(withOtherHub()).requireSuccess().out().contains("0 chart(s) failed"));
  }

  @Test
  void template_withoutJupyterHub_rendersOnlyTheCleanRoomsOwnObjects() {
    assertFalse(renderedOutput.out().contains("/charts/"), "nothing of a dependency is rendered");
    for (HasMetadata object : rendered.objects()) {
      String what = object.getKind() + " " + object.getMetadata().getName();
      assertTrue(object.getMetadata().getName().startsWith("cleanroom-"), what);
      assertTrue(object.getMetadata().getLabels().get("helm.sh/chart").startsWith("cleanroom-"), what);
    }
    Stream.of("hub", "proxy").forEach(name -> assertTrue(rendered.find(Deployment.class, name).isEmpty(), name));
    Stream.of("hub", "proxy", "singleuser").forEach(name ->
        assertTrue(rendered.find(NetworkPolicy.class, name).isEmpty(), name));
    assertTrue(rendered.find(Secret.class, "hub").isEmpty());
    rendered.requireTheCleanRoom();
  }

  @Test
  void template_withoutJupyterHub_usesTheGivenHub() {
    assertEquals(OTHER_HUB, option(rendered.container(BRIDGE), "--hub-api"));
    assertEquals(OTHER_HUB, option(rendered.container(DP), "--hub-api"));
    assertTrue(rendered.container(BRIDGE).getEnv().stream()
            .noneMatch(e -> e.getName().equals("JUPYTERHUB_API_TOKEN")),
        "no hub Secret to take a token from when the hub is not ours");
  }

  @Test
  void template_withoutAnyHub_needsATokenFile() {
    Helm.Result refused = helm.template();
    assertNotEquals(0, refused.exitCode());
    assertTrue(refused.err().contains("needs to know its users"), refused.err());

    Rendered tokens = Rendered.of(helm.template("--set", "bridge.tokensSecret=bridge-tokens", "--set",
        "dpService.tokensSecret=dp-tokens"));

    assertEquals("/etc/cleanroom/tokens/tokens.txt", option(tokens.container(BRIDGE), "--tokens"));
    assertEquals("bridge-tokens", volume(tokens.pod(BRIDGE), "tokens").getSecret().getSecretName());
    assertFalse(tokens.container(BRIDGE).getArgs().contains("--hub-api"));
    assertEquals("/health", tokens.container(BRIDGE).getReadinessProbe().getHttpGet().getPath(),
        "without the hub's proxy the bridge serves at the root");
  }

  @Test
  void template_withTheLocalSimulator_asksForTheUnisolatedRunOutLoud() {
    assertFalse(rendered.container(BRIDGE).getArgs().contains("--tee-option"), "on gcp nothing to ask for");

    Rendered local = Rendered.of(helm.template(withOtherHub("--set", "bridge.tee=local")));

    assertEquals("local", option(local.container(BRIDGE), "--tee"));
    assertEquals("isolation=process", option(local.container(BRIDGE), "--tee-option"),
        "the unprivileged pod cannot start runc, and the bridge refuses to fall back to a plain process silently");
  }

  @Test
  void template_imageTagDefaultsToAppVersion_andDigestWins() {
    assertEquals("localhost:5000/cleanroom-dp-service:0.1.0", rendered.container(DP).getImage());

    Rendered pinned = Rendered.of(helm.template(withOtherHub("--set", "dpService.image.digest=sha256:"
        + "a".repeat(64), "--set", "dpService.image.tag=ignored")));

    assertEquals("localhost:5000/cleanroom-dp-service@sha256:" + "a".repeat(64), pinned.container(DP).getImage());
  }

  @Test
  void schema_wrongType_failsLintAndTemplateNamingTheField() {
    for (Helm.Result result : List.of(helm.template(withOtherHub("--set", "bridge.port=eighty")),
        helm.lint(withOtherHub("--set", "bridge.port=eighty")))) {
      assertNotEquals(0, result.exitCode());
      assertTrue((result.out() + result.err()).contains("at '/bridge/port': got string, want integer"),
          result.out() + result.err());
    }
  }

  @Test
  void schema_missingRequiredField_failsNamingIt() {
    Helm.Result result = helm.template(withOtherHub("--set-json", "datasets=[{\"name\":\"insurance\","
        + "\"viewsVolume\":{\"emptyDir\":{}},\"dataVolume\":{\"emptyDir\":{}},\"dataPath\":\"real.csv\"}]"));

    assertNotEquals(0, result.exitCode());
    assertTrue(result.err().contains("at '/datasets/0': missing property 'teeLocation'"), result.err());
  }

  @Test
  void schema_misspeltKey_fails() {
    Helm.Result result = helm.template(withOtherHub("--set", "bridge.prot=8080"));

    assertNotEquals(0, result.exitCode());
    assertTrue(result.err().contains("additional properties 'prot' not allowed"), result.err());
  }

  @Test
  void services_selectTheirPodsAndNamedPorts() {
    for (String name : List.of(BRIDGE, DP)) {
      Service service = rendered.get(Service.class, name);
      var template = rendered.get(Deployment.class, name).getSpec().getTemplate();
      assertTrue(template.getMetadata().getLabels().entrySet().containsAll(service.getSpec().getSelector().entrySet()),
          name);
      String target = service.getSpec().getPorts().getFirst().getTargetPort().getStrVal();
      assertTrue(template.getSpec().getContainers().getFirst().getPorts().stream()
          .anyMatch(p -> p.getName().equals(target) && p.getContainerPort().equals(
              service.getSpec().getPorts().getFirst().getPort())), name + " serves on its Service's port");
    }
  }

  @Test
  void everyCleanRoomContainer_isHardenedAndProbed() {
    List<PodSpec> pods = Stream.concat(
        Stream.of(BRIDGE, DP).map(rendered::pod),
        Stream.of(rendered.get(StatefulSet.class, "cleanroom-postgresql").getSpec().getTemplate().getSpec())).toList();
    for (PodSpec pod : pods) {
      assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
      assertNotEquals(0L, pod.getSecurityContext().getRunAsUser());
      assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
      for (Container c : pod.getContainers()) {
        String what = c.getName();
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), what);
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), what);
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), what);
        assertNotNull(c.getResources().getRequests().get("memory"), what);
        assertNotNull(c.getResources().getLimits().get("memory"), what);
        for (Probe probe : Stream.of(c.getReadinessProbe(), c.getLivenessProbe()).toList()) {
          assertNotNull(probe, what + " has readiness and liveness probes");
          IntOrString port = probe.getHttpGet() != null ? probe.getHttpGet().getPort()
              : probe.getTcpSocket() != null ? probe.getTcpSocket().getPort() : null;
          if (port != null) {
            assertTrue(c.getPorts().stream().anyMatch(p -> p.getName().equals(port.getStrVal())),
                what + " probes a port it declares: " + port);
          }
        }
      }
    }
  }

  @Test
  void realData_isMountedIntoTheDpServiceOnly() {
    PodSpec bridge = rendered.pod(BRIDGE);
    PodSpec dp = rendered.pod(DP);

    assertTrue(bridge.getVolumes().stream().noneMatch(v -> v.getName().startsWith("data-")), "bridge volumes: "
        + bridge.getVolumes());
    assertEquals("insurance=/var/lib/cleanroom/datasets/insurance/views:gs://insurer-data-cleanroom/insurance/real.csv",
        option(rendered.container(BRIDGE), "--dataset"));
    String dataset = option(rendered.container(DP), "--dataset");
    String csv = dataset.substring(dataset.lastIndexOf(':') + 1);
    var mount = rendered.container(DP).getVolumeMounts().stream().filter(m -> csv.startsWith(m.getMountPath() + "/"))
        .findFirst().orElseThrow(() -> new AssertionError("the DP service's CSV " + csv + " is on no mounted volume"));
    assertEquals("insurance-data", volume(dp, mount.getName()).getPersistentVolumeClaim().getClaimName());
    assertEquals(Boolean.TRUE, mount.getReadOnly());
  }

  @Test
  void inClusterPostgres_givesBothServicesTheirDatabase() {
    Secret secret = rendered.get(Secret.class, "cleanroom-database");
    String password = decode(secret.getData().get("password"));
    var jobs = env(rendered.container(BRIDGE), "DCR_DATABASE_URL").getValueFrom().getSecretKeyRef();
    var ledger = env(rendered.container(DP), "DCR_LEDGER_URL").getValueFrom().getSecretKeyRef();

    assertEquals("$(DCR_DATABASE_URL)", option(rendered.container(BRIDGE), "--database"));
    assertEquals("$(DCR_LEDGER_URL)", option(rendered.container(DP), "--ledger"));
    assertEquals("jdbc:postgresql://cleanroom-postgresql:5432/cleanroom_jobs?user=cleanroom&password=" + password,
        decode(secret.getData().get(jobs.getKey())));
    assertEquals("jdbc:postgresql://cleanroom-postgresql:5432/cleanroom_ledger?user=cleanroom&password=" + password,
        decode(secret.getData().get(ledger.getKey())));
    assertTrue(password.length() >= 32);
    Helm.Result external = helm.template(withOtherHub("--set", "postgresql.enabled=false"));
    assertNotEquals(0, external.exitCode());
    assertTrue(external.err().contains("database.existingSecret is required"), external.err());
  }

  /** helm arguments that point both services at {@link #OTHER_HUB}, then {@code more}. */
  private static String[] withOtherHub(String... more) {
    return Stream.concat(OTHER_HUB_VALUES.stream(), Stream.of(more)).toArray(String[]::new);
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
