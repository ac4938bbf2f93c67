package dev.cleanroom.attestation.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.attestation.verify.ImageRebuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
  @TempDir Path root;
  private Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private Path jwksFile;

  @BeforeEach
  void googleJob() throws Exception {
    dir = root.resolve("job-42");
    TestJobs.googleJob(dir);
    jwksFile = Files.writeString(root.resolve("google-jwks.json"), TestJobs.googleJwks().json());
  }

  private int run(Optional<ImageRebuilder> rebuilder, String... args) {
    VerifyCommand command = new VerifyCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), TestJobs.clockAt(TestJobs.ISSUED.plusSeconds(60)), () -> rebuilder);
    return command.run(args);
  }

  private int run(String... args) {
    return run(Optional.empty(), args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void genuineFolder_withOfflineJwks_exitsZeroAndListsEveryCheck() {
    assertEquals(0, run(dir.toString(), "--jwks", jwksFile.toString(), "--any-deployment"), err());
    assertTrue(out().contains("  pass  signature     valid RS256 signature by key google-key-1"), out());
    assertTrue(out().contains("VERIFIED: every check passed\nANY DEPLOYMENT: no trust file was given, so this report proves"
        + " nothing about whose project ran the job or whose data it read\n"), out());
    assertTrue(out().contains("note:    without --rebuild nothing ties notebook.ipynb to the attested image"), out());
  }

  @Test
  void withoutTrustFileOrAnyDeployment_refusesToVerify() {
    assertEquals(2, run(dir.toString(), "--jwks", jwksFile.toString()));
    assertTrue(err().contains("name the deployment's trust file (--trust FILE), or accept any deployment (--any-deployment)"), err());
  }

  @Test
  void withTheDeploymentsTrustFile_namesTheDeployment() throws Exception {
    var manifest = JobFolder.at(dir).readReport().manifest();
    Path trust = root.resolve("trust.json");
    new DeploymentTrust("acme", TokenRequest.DEFAULT_AUDIENCE, "cleanroom", "123456789012",
        List.of("workload@cleanroom.iam.gserviceaccount.com"), List.of("us-docker.pkg.dev/cleanroom/jobs"), List.of(),
        new TreeMap<>(manifest.inputs()), Optional.empty()).write(trust);
    assertEquals(0, run(dir.toString(), "--jwks", jwksFile.toString(), "--trust", trust.toString()), err() + out());
    assertTrue(out().contains("  pass  project"), out());
    assertTrue(out().contains("deployment: acme ("), out());
  }

  @Test
  void trustFileWithAnUnknownMember_isRefused() throws Exception {
    Path trust = Files.writeString(root.resolve("trust.json"), "{\"format\":\"dcr.deployment-trust/1\",\"projects\":[]}");
    assertEquals(2, run(dir.toString(), "--jwks", jwksFile.toString(), "--trust", trust.toString()));
    assertTrue(err().contains("unknown member 'projects'") && err().contains("[invalid_trust_file]"), err());
  }

  @Test
  void reportJsonPath_verifiesItsFolder() {
    assertEquals(0, run(dir.resolve(JobFolder.REPORT).toString(), "--jwks", jwksFile.toString(), "--any-deployment"), err());
  }

  @Test
  void changedOutput_exitsOneAndNamesTheCheck() throws Exception {
    Files.writeString(dir.resolve("outputs/model.txt"), "tampered");
    assertEquals(1, run(dir.toString(), "--jwks", jwksFile.toString(), "--any-deployment"));
    assertTrue(out().contains("  FAIL  outputs       outputs/model.txt changed since the run"), out());
    assertTrue(out().contains("REFUSED: 1 of 18 checks failed (outputs)"), out());
  }

  @Test
  void json_printsMachineReadableChecks() throws Exception {
    assertEquals(0, run(dir.toString(), "--jwks", jwksFile.toString(), "--any-deployment", "--json"), err());
    JsonNode result = JsonMapper.builder().build().readTree(out());
    assertTrue(result.get("passed").asBoolean());
    assertFalse(result.get("simulated").asBoolean());
    assertEquals("algorithm", result.get("checks").get(0).get("check").asText());
    assertEquals("job-42", result.get("manifest").get("jobId").asText());
  }

  @Test
  void rebuild_withoutTheImageBuilder_failsAndSaysWhy() {
    assertEquals(1, run(dir.toString(), "--jwks", jwksFile.toString(), "--any-deployment", "--rebuild"));
    assertTrue(out().contains("  FAIL  rebuild       the image builder (tee-image module) is not available here"), out());
  }

  @Test
  void rebuild_withAnImageBuilder_comparesDigests() {
    assertEquals(0, run(Optional.of((notebook, inputs) -> TestJobs.IMAGE_DIGEST), dir.toString(), "--jwks", jwksFile.toString(), "--any-deployment", "--rebuild"), out());
    assertTrue(out().contains("  pass  rebuild"), out());
  }

  @Test
  void rebuild_withLibraries_takesTheNotebooksJarsFromThatFolder() {
    List<Path> folders = new ArrayList<>();
    ImageRebuilder fromRepository = new ImageRebuilder() {
      @Override
      public String rebuild(Path notebook, SortedMap<String, Sha256> inputs) {
        return "sha256:" + "0".repeat(64); // not the attested digest: the folder's rebuilder must be the one asked
      }

      @Override
      public ImageRebuilder withLibraryFolder(Path folder) {
        folders.add(folder);
        return (notebook, inputs) -> TestJobs.IMAGE_DIGEST;
      }
    };
    Path jars = dir.resolve("jars");
    assertEquals(0, run(Optional.of(fromRepository), dir.toString(), "--jwks", jwksFile.toString(), "--any-deployment",
        "--rebuild", "--libraries", jars.toString()), out());
    assertEquals(List.of(jars), folders);
    assertEquals(2, run(dir.toString(), "--jwks", jwksFile.toString(), "--any-deployment", "--libraries", jars.toString()));
    assertTrue(err().contains("--libraries is for --rebuild"), err());
  }

  @Test
  void noPath_exitsTwoWithUsage() {
    assertEquals(2, run("--allow-simulator"));
    assertTrue(err().startsWith("dcr verify: name a report.json or a job folder\nusage: dcr verify"), err());
  }

  @Test
  void unknownOption_exitsTwo() {
    assertEquals(2, run(dir.toString(), "--trust-me"));
    assertTrue(err().startsWith("dcr verify: unknown option --trust-me"), err());
  }

  @Test
  void clockSkewOverTheCap_exitsTwo() {
    assertEquals(2, run(dir.toString(), "--clock-skew", "3600"));
    assertTrue(err().startsWith("dcr verify: clock skew too large, max is 5 minutes"), err());
  }

  @Test
  void folderWithoutReport_exitsTwoWithTheCode(@TempDir Path empty) {
    assertEquals(2, run(empty.toString(), "--any-deployment"));
    assertTrue(err().contains("is not a job folder") && err().contains("[invalid_report]"), err());
  }

  @Test
  void otherFileName_isRefusedAsUsage() throws Exception {
    Path renamed = Files.copy(dir.resolve(JobFolder.REPORT), root.resolve("job-42-report.json"));
    assertEquals(2, run(renamed.toString()));
  }
}
