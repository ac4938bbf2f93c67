package dev.cleanroom.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubernetesManifestsTest {
  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: bridge
      spec:
        replicas: 1
        selector:
          matchLabels: {app: bridge}
        template:
          metadata:
            labels: {app: bridge}
          spec:
            containers:
              - name: bridge
                image: registry/cleanroom-bridge:0.1.0
                ports:
                  - {name: http, containerPort: 8480}
      """;

  @Test
  void parse_validDocuments_givesTheirTypedObjects() throws ManifestException {
    List<HasMetadata> objects = KubernetesManifests.parse(DEPLOYMENT + """
        ---
        # Source: an empty document, as helm leaves for a template that renders nothing
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: bridge}
        spec:
          ports: [{port: 8480, targetPort: http}]
        """);

    assertEquals(2, objects.size());
    Deployment deployment = assertInstanceOf(Deployment.class, objects.get(0));
    assertEquals(8480, deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0)
        .getContainerPort());
    assertEquals("http", assertInstanceOf(Service.class, objects.get(1)).getSpec().getPorts().get(0).getTargetPort()
        .getStrVal());
  }

  @Test
  void parse_misspeltField_failsNamingItsPath() {
    ManifestException e = assertThrows(ManifestException.class, () -> KubernetesManifests.parse(
        DEPLOYMENT.replace("image: registry", "imagePullPolice: Always\n          image: registry")));

    assertTrue(e.getMessage().contains("spec.template.spec.containers[0].imagePullPolice"), e.getMessage());
    assertTrue(e.getMessage().contains("apps/v1 Deployment bridge"), e.getMessage());
  }

  @Test
  void parse_stringForAnInteger_fails() {
    ManifestException e = assertThrows(ManifestException.class,
        () -> KubernetesManifests.parse(DEPLOYMENT.replace("containerPort: 8480", "containerPort: \"8480\"")));

    assertTrue(e.getMessage().contains("spec.template.spec.containers[0].ports[0].containerPort"), e.getMessage());
  }

  @Test
  void parse_numberForAString_fails() {
    ManifestException e = assertThrows(ManifestException.class,
        () -> KubernetesManifests.parse(DEPLOYMENT.replace("labels: {app: bridge}", "labels: {app: 3}")));

    assertTrue(e.getMessage().contains("spec.template.metadata.labels"), e.getMessage());
  }

  @Test
  void parse_unknownKind_isRefusedNotSkipped() {
    ManifestException e = assertThrows(ManifestException.class, () -> KubernetesManifests.parse("""
        apiVersion: example.org/v1
        kind: Widget
        metadata: {name: w}
        """));

    assertTrue(e.getMessage().contains("'example.org/v1 Widget'"), e.getMessage());
  }

  @Test
  void parse_typoInApiVersion_isRefused() {
    assertThrows(ManifestException.class, () -> KubernetesManifests.parse(DEPLOYMENT.replace("apps/v1", "app/v1")));
  }
}
