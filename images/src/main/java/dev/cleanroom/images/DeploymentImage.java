package dev.cleanroom.images;

import java.util.Arrays;
import java.util.Optional;

/** The images of a deployment, by the repository name each is written and pushed under. */
public enum DeploymentImage {
  /** The job bridge (job-bridge): stage-2 jobs, review, airlock, reports. */
  BRIDGE("cleanroom-bridge"),
  /** The DP query service (dp-engine): holds the raw data, answers DP queries within budget. */
  DP_SERVICE("cleanroom-dp-service"),
  /** A scientist's Jupyter server: JupyterLab, jupyterhub-singleuser and the dcr-java kernel. */
  SINGLE_USER("cleanroom-singleuser");

  private final String repository;

  DeploymentImage(String repository) {
    this.repository = repository;
  }

  public String repository() {
    return repository;
  }

  public static Optional<DeploymentImage> named(String repository) {
    return Arrays.stream(values()).filter(i -> i.repository.equals(repository)).findFirst();
  }
}
