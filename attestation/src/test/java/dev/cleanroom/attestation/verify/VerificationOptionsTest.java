package dev.cleanroom.attestation.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.token.TokenRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerificationOptionsTest {
  @Test
  void strict_acceptsOnlyConfidentialHardwareAndLiveKeys() {
    VerificationOptions o = VerificationOptions.builder().anyDeployment().build();
    assertFalse(o.allowSimulator());
    assertEquals(Set.of("GCP_INTEL_TDX", "GCP_AMD_SEV", "GCP_AMD_SEV_ES"), o.hardwareModels());
    assertEquals(new KeySource.Live(Optional.empty()), o.keys());
    assertEquals(TokenRequest.DEFAULT_AUDIENCE, o.audience());
    assertEquals(Duration.ofMinutes(1), o.clockSkew());
  }

  @Test
  void allowSimulator_addsOnlyTheRuncSimulator() {
    Set<String> models = VerificationOptions.builder().anyDeployment().allowSimulator().build().hardwareModels();
    assertTrue(models.contains("CLEANROOM_SIMULATED_RUNC"));
    assertFalse(models.contains("CLEANROOM_SIMULATED_PROCESS"));
  }

  @Test
  void clockSkew_overFiveMinutes_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VerificationOptions.builder().anyDeployment().clockSkew(Duration.ofMinutes(5).plusSeconds(1)));
    assertEquals("clock skew too large, max is 5 minutes", e.getMessage());
  }

  @Test
  void clockSkew_fiveMinutes_isAccepted() {
    assertEquals(Duration.ofMinutes(5), VerificationOptions.builder().anyDeployment().clockSkew(Duration.ofMinutes(5)).build().clockSkew());
  }

  @Test
  void clockSkew_negative_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> VerificationOptions.builder().anyDeployment().clockSkew(Duration.ofSeconds(-1)));
  }

  @Test
  void twoKeySources_areRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VerificationOptions.builder().anyDeployment().archivedKeys().liveKeys());
    assertEquals("choose one key source: live, archived or offline", e.getMessage());
  }

  @Test
  void simulatedHardwareWithoutAllowSimulator_isRefused() {
    VerificationOptions.Builder b = VerificationOptions.builder().anyDeployment().allowHardwareModel("CLEANROOM_SIMULATED_PROCESS");
    assertThrows(IllegalArgumentException.class, b::build);
  }

  @Test
  void emptyAudience_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> VerificationOptions.builder().anyDeployment().expectAudience(""));
  }
}
