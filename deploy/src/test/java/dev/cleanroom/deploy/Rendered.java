package dev.cleanroom.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The objects one {@code helm template} rendered, each already read strictly into its typed class. */
record Rendered(List<HasMetadata> objects) {
  static Rendered of(Helm.Result result) {
    try {
      return new Rendered(KubernetesManifests.parse(result.requireSuccess().out()));
    } catch (ManifestException e) {
      throw new AssertionError("the chart rendered a manifest Kubernetes would refuse: " + e.getMessage(), e);
    }
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
        + " rendered; rendered: " + objects.stream().map(o -> o.getKind() + " " + o.getMetadata().getName()).toList()));
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Fails unless the clean room's workloads and their Services, accounts, disruption budgets and policies are here. */
  void requireTheCleanRoom() {
    get(StatefulSet.class, "cleanroom-postgresql");
    for (String name : List.of("cleanroom-bridge", "cleanroom-dp-service")) {
      get(Deployment.class, name);
      get(Service.class, name);
      get(ServiceAccount.class, name);
      get(PodDisruptionBudget.class, name);
      get(NetworkPolicy.class, name);
    }
  }

  PodSpec pod(String deployment) {
    return get(Deployment.class, deployment).getSpec().getTemplate().getSpec();
  }

  Container container(String deployment) {
    return pod(deployment).getContainers().getFirst();
  }

  /** The values zero-to-jupyterhub's hub reads its configuration from (its Secret's values.yaml). */
  Map<String, Object> hubValues() {
    String encoded = get(io.fabric8.kubernetes.api.model.Secret.class, "hub").getData().get("values.yaml");
    return new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
  }

  /** {@code at(values, "hub", "services", "bridge", "url")}. */
  @SuppressWarnings("unchecked")
  static Object at(Map<String, Object> values, String... keys) {
    Object node = values;
    for (String key : keys) {
      if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
        throw new AssertionError("no " + String.join(".", keys) + " in the values (stopped at " + key + ")");
      }
      node = ((Map<String, Object>) map).get(key);
    }
    return node;
  }
}
