package dev.cleanroom.tee.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JobPlanTest {
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);
  private static final String PROVIDER = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x";

  private static JobPlan parse(String json) throws IOException {
    return JobPlan.parse(json.getBytes(UTF_8));
  }

  private static String plan(String inputs, String result) {
    return "{\"inputs\": {" + inputs + "}, \"result\": {\"url\": \"" + result + "\"}}";
  }

  @Test
  void parse_signedUrlsAndCloudStorageObjects() throws IOException {
    JobPlan plan = parse(plan("\"insurance/policy.yaml\": {\"url\": \"https://storage.example/b/o?X-Goog-Signature=s\", \"sha256\": \"" + A + "\"},"
        + "\"insurance/real.csv\": {\"url\": \"gs://insurer-data/insurance/real.csv\", \"sha256\": \"" + B + "\", \"identityProvider\": \"" + PROVIDER + "\"}",
        "https://storage.example/b/jobs/1/result.zip?X-Goog-Signature=s"));

    assertEquals(new JobPlan.Source(URI.create("gs://insurer-data/insurance/real.csv"), new Sha256(B), Optional.of(PROVIDER),
        Optional.empty()), plan.inputs().get("insurance/real.csv"));
    assertTrue(plan.inputs().get("insurance/real.csv").inCloudStorage());
    assertFalse(plan.inputs().get("insurance/policy.yaml").inCloudStorage());
    assertEquals(URI.create("https://storage.example/b/jobs/1/result.zip?X-Goog-Signature=s"), plan.result());
  }

  @Test
  void parse_plainHttpToAnotherHost_isRefusedWithoutEchoingTheUrl() {
    IOException e = assertThrows(IOException.class, () -> parse(plan("", "http://storage.example/b/r.zip?X-Goog-Signature=secret")));

    assertEquals("the result of the job plan is not at an https URL", e.getMessage());
  }

  @Test
  void parse_plainHttpToLoopback_isAnEmulator() throws IOException {
    assertEquals(URI.create("http://127.0.0.1:4443/b/r.zip"), parse(plan("", "http://127.0.0.1:4443/b/r.zip")).result());
  }

  @Test
  void parse_cloudStorageWithoutAnIdentityProvider_isRefused() {
    IOException e = assertThrows(IOException.class, () -> parse(plan(
        "\"d/real.csv\": {\"url\": \"gs://b/real.csv\", \"sha256\": \"" + A + "\"}", "https://s.example/r")));

    assertTrue(e.getMessage().contains("names no identityProvider"), e.getMessage());
  }

  @Test
  void parse_theResultInCloudStorage_isRefused() {
    assertThrows(IOException.class, () -> parse(plan("", "gs://b/result.zip")));
  }

  @Test
  void mismatch_isEmptyOnlyForExactlyTheJobsInputsWithTheJobsHashes() throws IOException {
    JobPlan plan = parse(plan("\"d/policy.yaml\": {\"url\": \"https://s.example/p\", \"sha256\": \"" + A + "\"}", "https://s.example/r"));

    assertEquals(Optional.empty(), plan.mismatch(new TreeMap<>(java.util.Map.of("d/policy.yaml", new Sha256(A)))));
    assertEquals(Optional.of("the job plan's sha256 of input 'd/policy.yaml' is not the job's"),
        plan.mismatch(new TreeMap<>(java.util.Map.of("d/policy.yaml", new Sha256(B)))));
    assertEquals(Optional.of("the job plan has no source for input 'd/real.csv'"),
        plan.mismatch(new TreeMap<>(java.util.Map.of("d/policy.yaml", new Sha256(A), "d/real.csv", new Sha256(B)))));
    assertEquals(Optional.of("the job plan names input 'd/policy.yaml', which the job does not list"),
        plan.mismatch(new TreeMap<>()));
  }
}
