package dev.cleanroom.tee.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.token.TokenRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobConfigTest {
  private static final Sha256 A = Sha256.of(new byte[] {1});
  private static final Sha256 B = Sha256.of(new byte[] {2});

  @Test
  void environment_readBack_isTheSameJob() {
    JobConfig job = JobConfig.of("job-1", Map.of("insurance/real.csv", A, "insurance/policy.yaml", B))
        .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(300)).withMaxOutputBytes(4096).withAudience("https://bridge.example");
    assertEquals(job, JobConfig.fromEnvironment(job.environment()));
  }

  @Test
  void environment_namesOnlyTheLaunchersVariables_butTheJobPlanWhichThePlatformAdds() {
    JobConfig job = JobConfig.of("job-1", Map.of("insurance/real.csv", A));
    assertEquals(JobConfig.VARIABLES.stream().filter(v -> !v.equals(JobConfig.JOB_PLAN_URL)).toList(),
        java.util.List.copyOf(job.environment().keySet()));
  }

  @Test
  void fromEnvironment_onlyJobId_takesTheDefaults() {
    JobConfig job = JobConfig.fromEnvironment(Map.of(JobConfig.JOB_ID, "job-1"));
    assertEquals(TokenRequest.DEFAULT_AUDIENCE, job.audience());
    assertTrue(job.inputs().isEmpty());
    assertEquals(JobConfig.DEFAULT_TIMEOUT, job.totalTimeout());
    assertEquals(JobConfig.DEFAULT_MAX_OUTPUT_BYTES, job.maxOutputBytes());
  }

  @Test
  void fromEnvironment_noJobId_isRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> JobConfig.fromEnvironment(Map.of()));
    assertTrue(e.getMessage().contains(JobConfig.JOB_ID), e.getMessage());
  }

  @Test
  void inputName_escapingTheInputFolder_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> JobConfig.of("job-1", Map.of("../etc/passwd", A)));
    assertThrows(IllegalArgumentException.class, () -> JobConfig.of("job-1", Map.of("/etc/passwd", A)));
  }

  @Test
  void inputs_notHexHashes_areRefused() {
    Map<String, String> env = new HashMap<>(Map.of(JobConfig.JOB_ID, "job-1", JobConfig.INPUTS, "insurance/real.csv=abc"));
    var e = assertThrows(IllegalArgumentException.class, () -> JobConfig.fromEnvironment(env));
    assertTrue(e.getMessage().contains("insurance/real.csv"), e.getMessage());
  }

  @Test
  void jobId_theManifestWouldRefuse_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> JobConfig.of("job 1; rm", Map.of()));
  }

  @Test
  void limits_mustBePositive() {
    JobConfig job = JobConfig.of("job-1", Map.of());
    assertThrows(IllegalArgumentException.class, () -> job.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> job.withMaxOutputBytes(0));
  }
}
