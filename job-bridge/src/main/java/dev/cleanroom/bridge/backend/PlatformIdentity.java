package dev.cleanroom.bridge.backend;

import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import java.util.List;
import java.util.Optional;

/**
 * Where a platform's TEEs run and which images they pull, as the deployment's trust file names them: the values a
 * genuine token of this deployment carries and anyone else's does not.
 *
 * @param deployment a stable name of this deployment (the deployment's audience is made from it)
 * @param projectId {@code submods.gce.project_id} of the VMs
 * @param projectNumber {@code submods.gce.project_number}
 * @param serviceAccounts the workload service accounts the VMs run as
 * @param imageRepositories where the platform's job images live
 * @param simulatorKeys a simulated platform's signing keys (its simulator is its issuer); empty on Google's
 */
public record PlatformIdentity(String deployment, String projectId, String projectNumber, List<String> serviceAccounts,
    List<String> imageRepositories, Optional<ArchivedJwks> simulatorKeys) {
  public PlatformIdentity {
    serviceAccounts = List.copyOf(serviceAccounts);
    imageRepositories = List.copyOf(imageRepositories);
  }

  /** A simulated platform: the simulator's stand-in project and account; its keys tell it from other simulators. */
  public static PlatformIdentity simulator(String deployment, List<String> imageRepositories, ArchivedJwks keys) {
    return new PlatformIdentity(deployment, SimulatorIssuer.PROJECT_ID, SimulatorIssuer.PROJECT_NUMBER,
        List.of(SimulatorIssuer.SERVICE_ACCOUNT), imageRepositories, Optional.of(keys));
  }
}
