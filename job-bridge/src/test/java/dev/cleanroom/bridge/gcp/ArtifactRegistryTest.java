package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class ArtifactRegistryTest {
  private final ArtifactRegistry registry = ArtifactRegistry.parse("europe-west4-docker.pkg.dev/clean-room-prod/cleanroom");

  @Test
  void parse_splitsHostProjectAndRepository() {
    assertEquals(new ArtifactRegistry("europe-west4-docker.pkg.dev", "clean-room-prod", "cleanroom"), registry);
    assertEquals(registry, ArtifactRegistry.parse("europe-west4-docker.pkg.dev/clean-room-prod/cleanroom/"));
  }

  @Test
  void parse_somethingElse_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> ArtifactRegistry.parse("gcr.io/clean-room-prod"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactRegistry.parse("docker.io/library/ubuntu"));
    assertThrows(IllegalArgumentException.class, () -> ArtifactRegistry.parse("europe-west4-docker.pkg.dev/p"));
  }

  @Test
  void byDigest_isTheReferenceConfidentialSpacePulls() {
    String digest = "sha256:" + "0f".repeat(32);

    assertEquals("europe-west4-docker.pkg.dev/clean-room-prod/cleanroom/job-k3v9x2m4q7b1c8d5@" + digest,
        registry.byDigest("job-k3v9x2m4q7b1c8d5", digest));
    assertThrows(IllegalArgumentException.class, () -> registry.byDigest("job", "latest"));
    assertThrows(IllegalArgumentException.class, () -> registry.image("Job_42"));
  }

  @Test
  void login_isTheAccessTokenForUserOauth2accesstoken() throws IOException {
    GoogleCredentials credentials = GoogleCredentials.create(
        new AccessToken("ya29.test-token", Date.from(Instant.now().plusSeconds(3600))));

    ArtifactRegistry.RegistryLogin login = registry.login(credentials);

    assertEquals("oauth2accesstoken", login.username());
    assertEquals("ya29.test-token", login.password());
    assertFalse(login.toString().contains("ya29"), "the token never appears in logs");
  }
}
