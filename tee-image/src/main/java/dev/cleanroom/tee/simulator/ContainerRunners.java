package dev.cleanroom.tee.simulator;

import dev.cleanroom.attestation.simulator.SimulatedWorkload;

/** Makes the runner for an isolation: runc, or a plain process. */
public final class ContainerRunners {
  private ContainerRunners() {}

  /** A runner for one run; see {@link ContainerRunner}. */
  public static ContainerRunner create(SimulatedWorkload.Isolation isolation) {
    return switch (isolation) {
      case RUNC -> new RuncRunner();
      case PROCESS -> new ProcessRunner();
    };
  }
}
