package dev.cleanroom.attestation;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.AttestationReport;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.token.TokenRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Small real fixtures shared by the tests: a job folder, its manifest, and Google-shaped tokens over it. */
public final class TestJobs {
  public static final Instant STARTED = Instant.parse("2026-03-01T10:00:00Z");
  public static final Instant FINISHED = Instant.parse("2026-03-01T10:00:30Z");
  /** When the token is issued: a few seconds after the job finished, as the launcher does. */
  public static final Instant ISSUED = Instant.parse("2026-03-01T10:00:33Z");
  public static final String IMAGE_DIGEST = "sha256:" + "ab".repeat(32);
  public static final String OTHER_IMAGE_DIGEST = "sha256:" + "cd".repeat(32);
  public static final String KEY_ID = "google-key-1";

  private static RSAKey googleKey;
  private static RSAKey otherKey;

  private TestJobs() {}

  public static Clock clockAt(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  /** The key standing in for Google's signing key (made once per test run: RSA generation is slow). */
  public static synchronized RSAKey googleKey() {
    if (googleKey == null) {
      googleKey = generate(KEY_ID);
    }
    return googleKey;
  }

  /** A second key with the same id, standing in for an attacker's. */
  public static synchronized RSAKey otherKey() {
    if (otherKey == null) {
      otherKey = generate(KEY_ID);
    }
    return otherKey;
  }

  private static RSAKey generate(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Google's JWKS as an auditor would hold it offline. */
  public static ArchivedJwks googleJwks() {
    return jwksOf(googleKey().toPublicJWK());
  }

  public static ArchivedJwks jwksOf(RSAKey publicKey) {
    return new ArchivedJwks(new JWKSet(publicKey.toPublicJWK()).toString(true), ConfidentialSpace.ISSUER,
        "https://www.googleapis.com/service_accounts/v1/metadata/jwk/signer@confidentialspace-sign.iam.gserviceaccount.com",
        ISSUED);
  }

  /**
   * Writes a finished job's files into {@code dir} — the submitted and executed notebooks and two outputs —
   * and returns the manifest the launcher would write for them.
   */
  public static JobManifest writeJob(Path dir) throws IOException {
    return writeJob(dir, IMAGE_DIGEST);
  }

  public static JobManifest writeJob(Path dir, String imageDigest) throws IOException {
    JobFolder folder = JobFolder.at(dir);
    Files.createDirectories(folder.outputs().resolve("plots"));
    byte[] notebook = "{\"cells\":[],\"nbformat\":4}".getBytes(StandardCharsets.UTF_8);
    Files.write(folder.notebook(), notebook);
    Files.writeString(folder.executedNotebook(), "{\"cells\":[{\"outputs\":[\"42\"]}],\"nbformat\":4}");
    Files.writeString(folder.outputs().resolve("model.txt"), "charges = 250 * age + 24000 * smoker\n");
    Files.write(folder.outputs().resolve("plots/fit.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
    Map<String, Sha256> inputs = new TreeMap<>();
    inputs.put("insurance/real.csv", Sha256.of("age,sex,bmi\n19,female,27.9\n".getBytes(StandardCharsets.UTF_8)));
    return new JobManifest("job-42", Sha256.of(notebook), imageDigest, new TreeMap<>(inputs), folder.hashOutputs(),
        JobFolder.EXECUTED_NOTEBOOK, STARTED, FINISHED, JobOutcome.succeeded());
  }

  /** The claims of a genuine Confidential Space token for {@code manifest}, issued at {@link #ISSUED}. */
  public static Map<String, Object> googleClaims(JobManifest manifest) {
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("image_reference", "us-docker.pkg.dev/cleanroom/jobs/job-42@" + manifest.imageDigest());
    container.put("image_digest", manifest.imageDigest());
    container.put("restart_policy", "Never");
    container.put("image_id", "sha256:" + "ef".repeat(32));
    container.put("env", Map.of("HOSTNAME", "job-42", "PATH", "/usr/bin:/bin", JobManifest.JOB_ID_VARIABLE, manifest.jobId()));
    container.put("args", List.of("/launcher"));
    Map<String, Object> submods = new LinkedHashMap<>();
    submods.put("confidential_space", Map.of("support_attributes", List.of("LATEST", "STABLE", "USABLE")));
    submods.put("container", container);
    submods.put("gce", Map.of("zone", "us-east4-c", "project_id", "cleanroom", "project_number", "123456789012",
        "instance_name", "job-42", "instance_id", "7333251546816446069"));
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("aud", TokenRequest.DEFAULT_AUDIENCE);
    claims.put("iss", ConfidentialSpace.ISSUER);
    claims.put("sub", "https://www.googleapis.com/compute/v1/projects/cleanroom/zones/us-east4-c/instances/job-42");
    claims.put("iat", ISSUED.getEpochSecond());
    claims.put("nbf", ISSUED.getEpochSecond());
    claims.put("exp", ISSUED.plusSeconds(3600).getEpochSecond());
    claims.put("eat_nonce", manifest.nonce().hex());
    claims.put("secboot", true);
    claims.put("oemid", ConfidentialSpace.GOOGLE_OEM_ID);
    claims.put("hwmodel", "GCP_INTEL_TDX");
    claims.put("swname", ConfidentialSpace.SOFTWARE_NAME);
    claims.put("swversion", List.of("250300"));
    claims.put("dbgstat", ConfidentialSpace.DEBUG_DISABLED);
    claims.put("google_service_accounts", List.of("workload@cleanroom.iam.gserviceaccount.com"));
    claims.put("submods", submods);
    return claims;
  }

  /** A simulated workload that ran {@code manifest}'s job: its container environment names the job. */
  public static SimulatedWorkload simulatedWorkload(JobManifest manifest) {
    return SimulatedWorkload.of("oci:job-42", manifest.imageDigest())
        .withContainer("", Map.of(JobManifest.JOB_ID_VARIABLE, manifest.jobId()), List.of());
  }

  /** Signs claims RS256 with {@code key}, header {@code kid} = the key's id, as Google does. */
  public static String sign(Map<String, Object> claims, RSAKey key) {
    try {
      // A JWS over the raw payload, so tests can also sign claims a JWT library would refuse to build.
      JWSObject jws = new JWSObject(
          new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
          new Payload(claims));
      jws.sign(new RSASSASigner(key));
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the report for {@code token} over {@code manifest} into the job folder at {@code dir}. */
  public static JobFolder writeReport(Path dir, JobManifest manifest, String token, Optional<ArchivedJwks> jwks)
      throws IOException {
    JobFolder folder = JobFolder.at(dir);
    folder.writeReport(new AttestationReport(manifest, token, jwks));
    return folder;
  }

  /** A job folder with a genuine-looking Google report (Google's JWKS archived). */
  public static JobFolder googleJob(Path dir) throws IOException {
    JobManifest manifest = writeJob(dir);
    return writeReport(dir, manifest, sign(googleClaims(manifest), googleKey()), Optional.of(googleJwks()));
  }
}
