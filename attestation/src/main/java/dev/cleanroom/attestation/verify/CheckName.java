package dev.cleanroom.attestation.verify;

import java.util.Locale;

/** The checks of a verification, in the order they are reported. {@link #code()} is stable for machines. */
public enum CheckName {
  ALGORITHM("the token is signed with RS256, the only algorithm accepted"),
  KEY("the token's key id names a usable RSA key in a trusted key set"),
  SIGNATURE("the signature verifies with that key"),
  ISSUER("the token comes from Google's attestation verifier (or the simulator, if allowed)"),
  AUDIENCE("the token was asked for the deployment's audience"),
  EXPIRY("the token had not expired"),
  NOT_BEFORE("the token was already valid"),
  ISSUED_AT("the token was issued after the job finished and not in the future"),
  NONCE("eat_nonce is the sha256 of this canonical manifest"),
  IMAGE_DIGEST("the attested container image is the manifest's image"),
  JOB_ID("the attested container ran with the manifest's job id in its environment"),
  PROJECT("the VM ran in the deployment's project (trust file)"),
  SERVICE_ACCOUNT("the VM ran as the deployment's workload service account (trust file)"),
  IMAGE_REFERENCE("the image is one the deployment allows (trust file)"),
  INPUTS("every input is one the providers committed to (trust file)"),
  NOTEBOOK("notebook.ipynb is the submitted notebook the manifest names"),
  OUTPUTS("the output files are exactly those the manifest lists, unchanged"),
  SOFTWARE("swname is CONFIDENTIAL_SPACE (or the simulator, if allowed)"),
  DEBUG("the image is not a debug image (dbgstat disabled-since-boot)"),
  SUPPORT("the image is a supported production image (STABLE)"),
  HARDWARE("hwmodel is an allowed confidential hardware model"),
  SECURE_BOOT("the VM booted with Secure Boot"),
  REBUILD("rebuilding the image from the notebook gives the attested digest");

  private final String description;

  CheckName(String description) {
    this.description = description;
  }

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String description() {
    return description;
  }
}
