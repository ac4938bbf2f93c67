package dev.cleanroom.bridge.report;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.bridge.backend.PlatformIdentity;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The deployment's trust file as this bridge makes it at start ({@code <work>/trust.json}): the platform's project,
 * workload service accounts, image repositories and (simulated) keys, the deployment's audience, and the commitments
 * of every input of every dataset it serves. The providers publish it; auditors verify reports with it
 * ({@code dcr verify --trust}), and the bridge checks the reports it seals and verifies with it too.
 */
public final class TrustFile {
  /** The audience of a deployment that names none: specific to it, so a token asked for another is refused. */
  public static final String AUDIENCE_PREFIX = "urn:cleanroom:deployment:";

  private TrustFile() {}

  public static DeploymentTrust of(PlatformIdentity platform, Optional<String> audience, DatasetCatalog datasets)
      throws IOException {
    SortedMap<String, Sha256> inputs = new TreeMap<>();
    for (CatalogDataset dataset : datasets.all()) {
      if (dataset.dataCommitment().isEmpty()) {
        continue; // its jobs cannot launch (LaunchEnvironment says why); it has nothing to publish
      }
      dataset.inputCommitments().forEach((name, commitment) -> inputs.put(name, new Sha256(commitment)));
    }
    return new DeploymentTrust(platform.deployment(), audience.orElse(AUDIENCE_PREFIX + platform.deployment()),
        platform.projectId(), platform.projectNumber(), platform.serviceAccounts(), platform.imageRepositories(),
        List.of(), inputs, platform.simulatorKeys());
  }
}
