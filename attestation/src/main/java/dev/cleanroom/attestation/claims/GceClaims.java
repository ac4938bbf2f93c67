package dev.cleanroom.attestation.claims;

/** {@code submods.gce}: the VM that ran the workload. Ids are strings, as Google writes them. */
public record GceClaims(String zone, String projectId, String projectNumber, String instanceName, String instanceId) {
  public GceClaims {
    zone = ContainerClaims.orEmpty(zone);
    projectId = ContainerClaims.orEmpty(projectId);
    projectNumber = ContainerClaims.orEmpty(projectNumber);
    instanceName = ContainerClaims.orEmpty(instanceName);
    instanceId = ContainerClaims.orEmpty(instanceId);
  }
}
