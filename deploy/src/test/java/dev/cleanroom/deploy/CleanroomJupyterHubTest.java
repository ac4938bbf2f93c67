package dev.cleanroom.deploy;

import static dev.cleanroom.deploy.Pods.env;
import static dev.cleanroom.deploy.Pods.option;
import static dev.cleanroom.deploy.Pods.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart helm/cleanroom with JupyterHub, the real zero-to-jupyterhub chart that
 * {@code ./dcr helm dependency build helm/cleanroom} puts in its charts/ (skipped when it is not there): it lints and
 * renders with the default values and the GCP example, zero-to-jupyterhub's own schema checks its values, and the hub,
 * the bridge, the DP query service and the single-user servers are wired to each other.
 */
class CleanroomJupyterHubTest {
  private static final String BRIDGE = "cleanroom-bridge";
  private static final String DP = "cleanroom-dp-service";

  private static Helm helm;
  private static Rendered defaults;

  /** Renders the defaults once; each test is skipped, with how to fetch the chart, while it is absent. */
  @BeforeEach
  void renderDefaultsOnce() {
    if (helm == null) {
      Helm withJupyterHub = Helm.withJupyterHub();
      defaults = Rendered.of(withJupyterHub.template());
      helm = withJupyterHub;
    }
  }

  @Test
  void lint_defaultValues_passes() {
    assertTrue(helm.lint().requireSuccess().out().contains("0 chart(s) failed"));
  }

  @Test
  void lint_gcpExample_passes() {
    assertTrue(helm.lint("-f", helm.example("gcp-values.yaml").toString()).requireSuccess().out()
        .contains("0 chart(s) failed"));
  }

  @Test
  void template_defaultValues_rendersTheCleanRoomAndJupyterHub() {
    defaults.requireTheCleanRoom();
    Stream.of("hub", "proxy").forEach(name -> defaults.get(Deployment.class, name));
  }

  @Test
  void template_gcpExample_runsAsTheBridgeGoogleAccountWithImagesByDigest() {
    Rendered gcp = Rendered.of(helm.template("-f", helm.example("gcp-values.yaml").toString()));

    assertEquals("dcr-bridge@clean-room-prod.iam.gserviceaccount.com", gcp.get(ServiceAccount.class, BRIDGE)
        .getMetadata().getAnnotations().get("iam.gke.io/gcp-service-account"));
    assertEquals("us-central1-docker.pkg.dev/clean-room-prod/cleanroom/cleanroom-bridge@sha256:" + "1".repeat(64),
        gcp.container(BRIDGE).getImage());
    Map<String, String> settings = gcp.get(ConfigMap.class, BRIDGE).getData();
    assertEquals("clean-room-prod", settings.get("DCR_GCP_PROJECT"));
    assertEquals("123456789012", settings.get("DCR_GCP_PROJECT_NUMBER"), "the trust file names the project's number");
    assertEquals("dcr-workload@clean-room-prod.iam.gserviceaccount.com", settings.get("DCR_GCP_TEE_SERVICE_ACCOUNT"));
    assertEquals("us-central1-a", settings.get("DCR_GCP_TEE_ZONE"));
    assertFalse(settings.containsKey("DCR_GCP_TEE_SUBNETWORK"), "empty settings are left out: " + settings);
    assertEquals(BRIDGE, gcp.container(BRIDGE).getEnvFrom().getFirst().getConfigMapRef().getName());
    // External PostgreSQL: no in-cluster server, the URLs come from the operator's Secret.
    assertTrue(gcp.find(StatefulSet.class, "cleanroom-postgresql").isEmpty());
    assertEquals("cleanroom-database", env(gcp.container(DP), "DCR_LEDGER_URL").getValueFrom().getSecretKeyRef()
        .getName());
    assertEquals("gcsfuse.csi.storage.gke.io", volume(gcp.pod(DP), "data-0").getCsi().getDriver());
  }

  @Test
  void schema_checksJupyterHubValuesWithItsOwnSchema() {
    Helm.Result result = helm.template("--set", "jupyterhub.hub.servcies.bridge.url=http://cleanroom-bridge:8480");

    assertNotEquals(0, result.exitCode());
    assertTrue(result.err().contains("servcies"), result.err());
  }

  @Test
  void hub_registersTheBridgeServiceAtItsServiceUrl() {
    Service bridge = defaults.get(Service.class, BRIDGE);
    String url = "http://" + bridge.getMetadata().getName() + ":" + bridge.getSpec().getPorts().getFirst().getPort();

    assertEquals(url, Rendered.at(defaults.hubValues(), "hub", "services", "bridge", "url"));
  }

  @Test
  void hub_bridgeUrlThatMissesTheService_isRefused() {
    Helm.Result result = helm.template("--set", "jupyterhub.hub.services.bridge.url=http://bridge:80");

    assertNotEquals(0, result.exitCode());
    assertTrue(result.err().contains("but the bridge's Service is http://cleanroom-bridge:8480"), result.err());
  }

  @Test
  void hub_bridgeIsStartedAsTheHubsService() {
    Service hub = defaults.get(Service.class, "hub");
    String api = "http://hub:" + hub.getSpec().getPorts().getFirst().getPort() + "/hub/api";
    Container bridge = defaults.container(BRIDGE);

    assertEquals(api, option(bridge, "--hub-api"));
    assertEquals(api, env(bridge, "JUPYTERHUB_API_URL").getValue());
    assertEquals("/services/bridge", option(bridge, "--base-path"));
    assertEquals("/services/bridge/health", bridge.getReadinessProbe().getHttpGet().getPath());
    var token = env(bridge, "JUPYTERHUB_API_TOKEN").getValueFrom().getSecretKeyRef();
    assertTrue(defaults.get(Secret.class, token.getName()).getData().containsKey(token.getKey()),
        "the hub's Secret holds the bridge's API token under " + token.getKey());
    assertEquals(api, option(defaults.container(DP), "--hub-api"));
  }

  @Test
  void hub_singleUserServersUseOurImageAndEndpoints() {
    Map<String, Object> values = defaults.hubValues();

    assertEquals("localhost:5000/cleanroom-singleuser", Rendered.at(values, "singleuser", "image", "name"));
    // The image's entry point is jupyterhub-singleuser and its user nobody: the hub must not prepend its own command.
    assertEquals(null, ((Map<?, ?>) Rendered.at(values, "singleuser")).get("cmd"));
    assertEquals(65534, Rendered.at(values, "singleuser", "uid"));
    assertEquals("http://" + DP + ":8470/", Rendered.at(values, "singleuser", "extraEnv", "DCR_DP_URL"));
    assertEquals("http://" + BRIDGE + ":8480/services/bridge",
        Rendered.at(values, "singleuser", "extraEnv", "DCR_BRIDGE_URL"));
    Helm.Result other = helm.template("--set", "image.registry=registry.example/cleanroom");
    assertNotEquals(0, other.exitCode(), "the single-user image must follow image.registry");
    assertTrue(other.err().contains("registry.example/cleanroom/cleanroom-singleuser"), other.err());
  }

  @Test
  void dpService_acceptsOnlyTheHubAndSingleUserServers() {
    NetworkPolicy policy = defaults.get(NetworkPolicy.class, DP);
    Map<String, String> dpPod = defaults.get(Deployment.class, DP).getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> hubPod = defaults.get(Deployment.class, "hub").getSpec().getTemplate().getMetadata()
        .getLabels();
    // zero-to-jupyterhub's own policy for the single-user servers selects them by their labels.
    Map<String, String> singleUserPod = defaults.get(NetworkPolicy.class, "singleuser").getSpec().getPodSelector()
        .getMatchLabels();

    assertTrue(dpPod.entrySet().containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet()));
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
    assertEquals(1, policy.getSpec().getIngress().size());
    List<NetworkPolicyPeer> from = policy.getSpec().getIngress().getFirst().getFrom();
    assertEquals(2, from.size(), "exactly the hub and the single-user servers: " + from);
    assertTrue(from.stream().allMatch(peer -> peer.getNamespaceSelector() == null && peer.getIpBlock() == null));
    assertTrue(selects(from.get(0), hubPod), "the first peer is the hub's pod " + hubPod);
    assertTrue(selects(from.get(1), singleUserPod), "the second peer is the single-user servers " + singleUserPod);
    // No other pod the release runs (the bridge, the proxy, PostgreSQL, zero-to-jupyterhub's helpers) is let in.
    Stream.of(Deployment.class, StatefulSet.class, DaemonSet.class).flatMap(type -> defaults.all(type).stream())
        .filter(workload -> !workload.getMetadata().getName().equals("hub"))
        .forEach(workload -> {
          Map<String, String> labels = podLabels(workload);
          assertFalse(from.stream().anyMatch(peer -> selects(peer, labels)),
              workload.getKind() + " " + workload.getMetadata().getName() + " may not reach the DP query service");
        });
  }

  @Test
  void singleUserServers_mayReachTheDpServiceAndTheBridge() {
    var egress = defaults.get(NetworkPolicy.class, "singleuser").getSpec().getEgress();
    for (String name : List.of(DP, BRIDGE)) {
      Map<String, String> pod = defaults.get(Deployment.class, name).getSpec().getTemplate().getMetadata().getLabels();
      int port = defaults.get(Service.class, name).getSpec().getPorts().getFirst().getPort();
      assertTrue(egress.stream().anyMatch(rule -> rule.getTo().stream().anyMatch(peer -> selects(peer, pod))
              && rule.getPorts().stream().anyMatch(p -> Objects.equals(p.getPort(), new IntOrString(port)))),
          "zero-to-jupyterhub's single-user egress policy lets servers reach " + name + ":" + port);
    }
  }

  @Test
  void hubNetworkPolicy_admitsTheServicesThatCheckTokens() {
    var ingress = defaults.get(NetworkPolicy.class, "hub").getSpec().getIngress();
    for (String name : List.of(DP, BRIDGE)) {
      Map<String, String> pod = defaults.get(Deployment.class, name).getSpec().getTemplate().getMetadata().getLabels();
      assertTrue(ingress.stream().anyMatch(rule -> rule.getFrom() != null
          && rule.getFrom().stream().anyMatch(peer -> selects(peer, pod))), name + " may ask the hub about tokens");
    }
  }

  private static Map<String, String> podLabels(HasMetadata workload) {
    return switch (workload) {
      case Deployment d -> d.getSpec().getTemplate().getMetadata().getLabels();
      case StatefulSet s -> s.getSpec().getTemplate().getMetadata().getLabels();
      case DaemonSet d -> d.getSpec().getTemplate().getMetadata().getLabels();
      default -> throw new AssertionError("not a workload: " + workload.getKind());
    };
  }

  /** Whether a same-namespace pod selector picks a pod with these labels. */
  private static boolean selects(NetworkPolicyPeer peer, Map<String, String> podLabels) {
    return peer.getPodSelector() != null && peer.getPodSelector().getMatchExpressions().isEmpty()
        && podLabels.entrySet().containsAll(peer.getPodSelector().getMatchLabels().entrySet());
  }
}
