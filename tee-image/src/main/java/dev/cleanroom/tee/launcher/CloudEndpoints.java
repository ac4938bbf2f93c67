package dev.cleanroom.tee.launcher;

import java.net.URI;
import java.util.Properties;

/**
 * The Google APIs the launcher calls when it follows a job plan: the Security Token Service (attestation token →
 * federated access token), the IAM Credentials API (optional impersonation) and the Cloud Storage JSON API (the
 * provider's real rows).
 *
 * <p>Invariant: in the image these are always Google's. Only system properties can change them, for tests; the
 * image's JVM options are fixed in the image ({@code /app/jvm.args}) and its launch policy admits no command
 * override and no variable but the job's, so an operator cannot point a TEE's attestation token elsewhere.
 */
record CloudEndpoints(URI sts, URI iamCredentials, URI storage) {
  static final String STS = "https://sts.googleapis.com";
  static final String IAM_CREDENTIALS = "https://iamcredentials.googleapis.com";
  static final String STORAGE = "https://storage.googleapis.com";
  static final String STS_PROPERTY = "dcr.launcher.sts-url";
  static final String IAM_CREDENTIALS_PROPERTY = "dcr.launcher.iamcredentials-url";
  static final String STORAGE_PROPERTY = "dcr.launcher.storage-url";

  static CloudEndpoints google() {
    return new CloudEndpoints(URI.create(STS), URI.create(IAM_CREDENTIALS), URI.create(STORAGE));
  }

  /** Google's, each replaced by its system property when set (tests: local stand-ins and fake-gcs-server). */
  static CloudEndpoints from(Properties properties) {
    return new CloudEndpoints(URI.create(properties.getProperty(STS_PROPERTY, STS)),
        URI.create(properties.getProperty(IAM_CREDENTIALS_PROPERTY, IAM_CREDENTIALS)),
        URI.create(properties.getProperty(STORAGE_PROPERTY, STORAGE)));
  }

  /** An endpoint's URI with {@code path} (which starts with '/') appended to its own path. */
  static URI at(URI base, String path) {
    String root = base.toString();
    return URI.create((root.endsWith("/") ? root.substring(0, root.length() - 1) : root) + path);
  }
}
