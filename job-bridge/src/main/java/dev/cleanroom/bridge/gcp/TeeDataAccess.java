package dev.cleanroom.bridge.gcp;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a job's VM reads the provider's real rows ({@code gs://...}): through the provider's workload identity pool
 * provider, which exchanges the VM's attestation token for an access token only when the image is one the provider
 * approved (docs/gcp.md, step 10), and, if the provider grants the bucket to a service account rather than to the
 * pool, as that account. The bridge writes both into each job plan; it holds no credential for the data itself.
 *
 * @param identityProvider the Security Token Service audience:
 *     {@code //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER}
 * @param serviceAccount an account the pool's identities may impersonate, when the data is granted to it
 */
public record TeeDataAccess(String identityProvider, Optional<String> serviceAccount) {
  static final String IAM_PREFIX = "//iam.googleapis.com/";
  private static final Pattern PROVIDER = Pattern.compile(
      "projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]+/providers/[a-z0-9-]+");
  private static final Pattern SERVICE_ACCOUNT = Pattern.compile("[^@\\s/]+@[^@\\s/]+\\.iam\\.gserviceaccount\\.com");

  public TeeDataAccess {
    String resource = identityProvider.startsWith(IAM_PREFIX) ? identityProvider.substring(IAM_PREFIX.length()) : identityProvider;
    if (!PROVIDER.matcher(resource).matches()) {
      throw new IllegalArgumentException(GcpConfig.IDENTITY_PROVIDER + " '" + identityProvider + "' is not a workload"
          + " identity pool provider: projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"
          + " (the project number, not its id; docs/gcp.md, step 10)");
    }
    identityProvider = IAM_PREFIX + resource;
    serviceAccount.filter(account -> !SERVICE_ACCOUNT.matcher(account).matches()).ifPresent(account -> {
      throw new IllegalArgumentException(GcpConfig.DATA_READER + " '" + account + "' is not a service account email"
          + " (NAME@PROJECT.iam.gserviceaccount.com)");
    });
  }
}
