package dev.cleanroom.tee.api;

import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One job run by the {@link TeeSimulator}: the job folder now holds the launcher's attested result
 * (notebook, executed notebook, outputs, {@code manifest.json}, {@code token.jwt}).
 *
 * @param imageDigest the digest of the image that ran, read from its layout, as the token attests it
 * @param launcherLog the launcher's log lines (its stdout: no text the notebook controls)
 * @param steps how long each step took, in order: {@code unpack}, {@code run}
 */
public record SimulatedRun(Path jobFolder, String imageDigest, SimulatedWorkload.Isolation isolation,
    List<String> launcherLog, Map<String, Duration> steps) {
  public SimulatedRun {
    launcherLog = List.copyOf(launcherLog);
    steps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(steps));
  }
}
