package dev.cleanroom.attestation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.manifest.JobManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttestationReportTest {
  @TempDir Path dir;

  @Test
  void toBytes_fromBytes_roundTripsWithArchivedJwks() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    AttestationReport report = new AttestationReport(manifest, TestJobs.sign(TestJobs.googleClaims(manifest), TestJobs.googleKey()),
        Optional.of(TestJobs.googleJwks()));
    AttestationReport read = AttestationReport.fromBytes(report.toBytes());
    assertEquals(report.manifest(), read.manifest());
    assertEquals(report.token(), read.token());
    assertEquals(report.jwks().get().keyIds(), read.jwks().get().keyIds());
    assertEquals(report.jwks().get().fetchedAt(), read.jwks().get().fetchedAt());
  }

  @Test
  void toBytes_fromBytes_roundTripsWithoutJwks() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    AttestationReport report = new AttestationReport(manifest, "a.b.c", Optional.empty());
    assertEquals(Optional.empty(), AttestationReport.fromBytes(report.toBytes()).jwks());
  }

  @Test
  void constructor_tokenNotCompactJwt_isRefused() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    AttestationException e = assertThrows(AttestationException.class, () -> new AttestationReport(manifest, "not a jwt", Optional.empty()));
    assertEquals("invalid_report", e.code());
  }

  @Test
  void fromBytes_unknownMember_isRefused() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    String json = new String(new AttestationReport(manifest, "a.b.c", Optional.empty()).toBytes(), StandardCharsets.UTF_8)
        .replaceFirst("\\{", "{\"verified\": true,");
    AttestationException e = assertThrows(AttestationException.class, () -> AttestationReport.fromBytes(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals("invalid_report", e.code());
  }
}
