package dev.cleanroom.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads rendered Kubernetes manifests strictly into fabric8's typed model: the offline stand-in for the API server's
 * schema check. Every document must be a known {@code apiVersion}/{@code kind}, every field must exist in its type
 * (fabric8 would otherwise keep an unknown field in {@code additionalProperties}, as a typo in a template would be),
 * and every scalar must have its field's type (no {@code "8080"} for an integer, no {@code 8080} for a string), as
 * the API server's decoding demands.
 */
public final class KubernetesManifests {
  /** The types a chart of ours may render, by {@code apiVersion kind}; another kind is refused, not skipped. */
  private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.ofEntries(
      Map.entry("v1 ConfigMap", ConfigMap.class),
      Map.entry("v1 PersistentVolumeClaim", PersistentVolumeClaim.class),
      Map.entry("v1 Secret", Secret.class),
      Map.entry("v1 Service", Service.class),
      Map.entry("v1 ServiceAccount", ServiceAccount.class),
      Map.entry("apps/v1 DaemonSet", DaemonSet.class),
      Map.entry("apps/v1 Deployment", Deployment.class),
      Map.entry("apps/v1 StatefulSet", StatefulSet.class),
      Map.entry("batch/v1 Job", Job.class),
      Map.entry("networking.k8s.io/v1 Ingress", Ingress.class),
      Map.entry("networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class),
      Map.entry("policy/v1 PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("rbac.authorization.k8s.io/v1 ClusterRole", ClusterRole.class),
      Map.entry("rbac.authorization.k8s.io/v1 ClusterRoleBinding", ClusterRoleBinding.class),
      Map.entry("rbac.authorization.k8s.io/v1 Role", Role.class),
      Map.entry("rbac.authorization.k8s.io/v1 RoleBinding", RoleBinding.class),
      Map.entry("scheduling.k8s.io/v1 PriorityClass", PriorityClass.class));

  private static final ObjectMapper STRICT = strictMapper();

  private KubernetesManifests() {}

  /**
   * Reads every document of a multi-document YAML stream ({@code helm template}'s output); empty documents are
   * skipped.
   *
   * @throws ManifestException naming the first document that is not a valid object of a known type, and why
   */
  public static List<HasMetadata> parse(String yaml) throws ManifestException {
    List<HasMetadata> objects = new ArrayList<>();
    int index = 0;
    try {
      for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
        index++;
        if (document != null) {
          objects.add(read(index, document));
        }
      }
    } catch (YAMLException e) {
      throw new ManifestException("Tried to read document " + (index + 1) + " but it is not YAML: " + e.getMessage());
    }
    return objects;
  }

  private static HasMetadata read(int index, Object document) throws ManifestException {
    if (!(document instanceof Map<?, ?> map)) {
      throw new ManifestException("Document " + index + " is not an object; a Kubernetes manifest is a mapping");
    }
    String type = map.get("apiVersion") + " " + map.get("kind");
    Class<? extends HasMetadata> target = TYPES.get(type);
    String name = map.get("metadata") instanceof Map<?, ?> metadata ? String.valueOf(metadata.get("name")) : "?";
    if (target == null) {
      throw new ManifestException("Document " + index + " (" + name + ") is '" + type + "', not a type this check knows ("
          + String.join(", ", new TreeSet<>(TYPES.keySet())) + "); render a known type or add it to KubernetesManifests");
    }
    try {
      return STRICT.readValue(STRICT.writeValueAsBytes(map), target);
    } catch (JsonMappingException e) {
      throw new ManifestException("Document " + index + " (" + type + " " + name + ") is not a valid "
          + target.getSimpleName() + " at " + path(e) + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (JsonProcessingException e) {
      throw new ManifestException("Document " + index + " (" + type + " " + name + ") could not be read: "
          + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("reading from memory does not fail", e);
    }
  }

  /** {@code spec.template.spec.containers[0].imagePullPolice}: where in the document the failure is. */
  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      } else {
        path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
      }
    }
    return path.isEmpty() ? "the top level" : path.toString();
  }

  private static ObjectMapper strictMapper() {
    SimpleModule noAnySetter = new SimpleModule("no-additional-properties");
    noAnySetter.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
          BeanDeserializerBuilder builder) {
        // fabric8 types collect unknown fields with @JsonAnySetter; without it they fail like the API server's check.
        builder.setAnySetter(null);
        return builder;
      }
    });
    JsonMapper mapper = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .addModule(noAnySetter)
        .build();
    for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
        CoercionInputShape.Boolean)) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    return mapper;
  }
}
