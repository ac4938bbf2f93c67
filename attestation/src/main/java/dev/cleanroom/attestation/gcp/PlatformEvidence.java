package dev.cleanroom.attestation.gcp;

import com.google.cloud.confidentialcomputing.v1.VerifyAttestationRequest;
import java.io.IOException;

/**
 * The VM's evidence for the Confidential Computing API, bound to the challenge's nonce: at least the vTPM
 * attestation (quotes over the nonce, event log, attestation key certificate), and on TDX or SEV-SNP the
 * hardware report too. Collecting it needs the VM's TPM device; Google's launcher does it with
 * go-tpm-tools, and there is no Java implementation in this project yet.
 */
@FunctionalInterface
public interface PlatformEvidence {
  /** Adds evidence bound to {@code challengeNonce} to {@code request} (tpm_attestation, td_ccel, gcp_credentials...). */
  void attach(byte[] challengeNonce, VerifyAttestationRequest.Builder request) throws IOException;
}
