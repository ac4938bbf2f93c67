package dev.cleanroom.attestation.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttestationClaimsTest {
  // The payload of shared/facts/confidential-space.md ("Example payload"), as Google documents it.
  private static final String DOC_EXAMPLE = """
      {"aud": "https://auditor.example/attest",
       "exp": 1698865165, "iat": 1698861565, "nbf": 1698861565,
       "iss": "https://confidentialcomputing.googleapis.com",
       "sub": "https://www.googleapis.com/compute/v1/projects/test-project/zones/us-east4-c/instances/on-demand-demo1",
       "eat_nonce": ["thisIsAcustomNonce", "thisIsAMuchLongerCustomNonceWithPaddingFor74Bytes0000000000000000000000000"],
       "secboot": true, "oemid": 11129, "hwmodel": "GCP_INTEL_TDX", "attester_tcb": ["INTEL"],
       "swname": "CONFIDENTIAL_SPACE", "swversion": ["230902"], "dbgstat": "disabled-since-boot",
       "submods": {
         "confidential_space": {"support_attributes": ["LATEST", "STABLE", "USABLE"]},
         "container": {
           "image_reference": "us-docker.pkg.dev/test-project/on-demand-attestation/workload-container:latest",
           "image_digest": "sha256:667b7cc9407f7d9949d43fd51dde2a5b66db9b695ef5bfe525cf8576d54ffaa9",
           "restart_policy": "Never",
           "image_id": "sha256:f2484d4358ebe74b0b9e1051d8852389d5f5481681a4933fd58a61817aee76da",
           "env_override": null, "cmd_override": null,
           "env": {"HOSTNAME": "on-demand-demo1", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
           "args": ["/workload"]},
         "gce": {"zone": "us-east4-c", "project_id": "test-project", "project_number": "123456789012",
                 "instance_name": "on-demand-demo1", "instance_id": "7333251546816446069"}},
       "google_service_accounts": ["workload-sa@test-project.iam.gserviceaccount.com"]}
      """;

  private static AttestationClaims parse(String json) throws Exception {
    return AttestationClaims.fromMap(JSONObjectUtils.parse(json));
  }

  @Test
  void fromMap_googleDocExample_readsEveryPinnedClaim() throws Exception {
    AttestationClaims c = parse(DOC_EXAMPLE);
    assertEquals(ConfidentialSpace.ISSUER, c.issuer());
    assertEquals(List.of("https://auditor.example/attest"), c.audiences());
    assertEquals(Optional.of(Instant.ofEpochSecond(1698865165)), c.expiresAt());
    assertEquals(2, c.nonces().size());
    assertEquals("GCP_INTEL_TDX", c.hardwareModel());
    assertEquals("CONFIDENTIAL_SPACE", c.softwareName());
    assertEquals("disabled-since-boot", c.debugStatus());
    assertEquals(Optional.of(true), c.secureBoot());
    assertEquals(Optional.of(11129L), c.oemId());
    assertTrue(c.supportAttributes().contains("STABLE"));
    assertEquals("sha256:667b7cc9407f7d9949d43fd51dde2a5b66db9b695ef5bfe525cf8576d54ffaa9", c.container().imageDigest());
    assertEquals(List.of("/workload"), c.container().args());
    assertEquals("123456789012", c.gce().orElseThrow().projectNumber());
  }

  @Test
  void fromMap_nonceAsBareString_readsOneNonce() throws Exception {
    assertEquals(List.of("thisIsAcustomNonce"), parse("{\"eat_nonce\": \"thisIsAcustomNonce\"}").nonces());
  }

  @Test
  void fromMap_missingAndMistypedClaims_readAsEmpty() throws Exception {
    AttestationClaims c = parse("{\"iss\": 7, \"secboot\": \"yes\", \"submods\": []}");
    assertEquals("", c.issuer());
    assertEquals(Optional.empty(), c.secureBoot());
    assertEquals("", c.container().imageDigest());
    assertEquals(List.of(), c.supportAttributes());
  }

  @Test
  void toMap_singleNonce_isWrittenAsBareString() throws Exception {
    AttestationClaims c = parse(DOC_EXAMPLE);
    AttestationClaims one = new AttestationClaims(c.issuer(), c.audiences(), c.subject(), c.issuedAt(), c.notBefore(),
        c.expiresAt(), List.of("only-one-nonce"), c.hardwareModel(), c.softwareName(), c.softwareVersion(), c.debugStatus(),
        c.secureBoot(), c.oemId(), c.serviceAccounts(), c.supportAttributes(), c.container(), c.gce());
    Map<String, Object> map = one.toMap();
    assertEquals("only-one-nonce", map.get("eat_nonce"));
    assertEquals(one, AttestationClaims.fromMap(JWTClaimsSet.parse(map).getClaims()));
  }
}
