package dev.cleanroom.attestation.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.confidentialcomputing.v1.Challenge;
import com.google.cloud.confidentialcomputing.v1.ConfidentialComputingClient;
import com.google.cloud.confidentialcomputing.v1.LocationName;
import com.google.cloud.confidentialcomputing.v1.TokenOptions;
import com.google.cloud.confidentialcomputing.v1.TokenType;
import com.google.cloud.confidentialcomputing.v1.VerifyAttestationRequest;
import com.google.cloud.confidentialcomputing.v1.VerifyAttestationResponse;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.report.AttestationReport;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.attestation.token.TokenSource;
import java.io.IOException;
import java.util.Base64;
import java.util.Set;

/**
 * Tokens for a plain Confidential VM, asked of Google's Confidential Computing API directly: {@code
 * CreateChallenge}, then {@code VerifyAttestation} with the VM's evidence over the challenge's nonce and
 * the request's audience and nonces as token options. Confidential Space workloads use the launcher
 * socket instead; both are {@link TokenSource}s, so the launcher does not care which it has.
 *
 * <p>A plain Confidential VM's token has {@code swname = GCE} and attests no container image, so strict
 * verification refuses it; this source is for the platform's own uses until that binding exists.
 */
public final class ConfidentialComputingTokenSource implements TokenSource, AutoCloseable {
  private static final Set<StatusCode.Code> REFUSALS = Set.of(StatusCode.Code.INVALID_ARGUMENT,
      StatusCode.Code.FAILED_PRECONDITION, StatusCode.Code.PERMISSION_DENIED, StatusCode.Code.NOT_FOUND,
      StatusCode.Code.UNAUTHENTICATED, StatusCode.Code.ALREADY_EXISTS);

  private final ConfidentialComputingClient client;
  private final LocationName location;
  private final PlatformEvidence evidence;

  public ConfidentialComputingTokenSource(ConfidentialComputingClient client, LocationName location, PlatformEvidence evidence) {
    this.client = client;
    this.location = location;
    this.evidence = evidence;
  }

  /** A source using the VM's default credentials against {@code confidentialcomputing.googleapis.com}. */
  public static ConfidentialComputingTokenSource create(String projectId, String region, PlatformEvidence evidence)
      throws IOException {
    return new ConfidentialComputingTokenSource(ConfidentialComputingClient.create(), LocationName.of(projectId, region), evidence);
  }

  @Override
  public String token(TokenRequest request) {
    try {
      Challenge challenge = client.createChallenge(location, Challenge.newBuilder().build());
      byte[] nonce;
      try {
        nonce = Base64.getDecoder().decode(challenge.getTpmNonce());
      } catch (IllegalArgumentException e) {
        throw new AttestationException("token_unavailable", "the challenge's tpm_nonce is not base64");
      }
      VerifyAttestationRequest.Builder verify = VerifyAttestationRequest.newBuilder()
          .setChallenge(challenge.getName())
          .setTokenOptions(TokenOptions.newBuilder()
              .setAudience(request.audience())
              .addAllNonce(request.nonces())
              .setTokenType(TokenType.TOKEN_TYPE_OIDC));
      evidence.attach(nonce, verify);
      VerifyAttestationResponse response = client.verifyAttestation(verify.build());
      if (response.getOidcClaimsToken().isEmpty()) {
        throw new AttestationException("token_unavailable",
            "the Confidential Computing API returned no token (" + response.getPartialErrorsCount() + " partial errors)");
      }
      return AttestationReport.requireCompactJwt(response.getOidcClaimsToken());
    } catch (ApiException e) {
      StatusCode.Code code = e.getStatusCode().getCode();
      throw new AttestationException(REFUSALS.contains(code) ? "token_refused" : "token_unavailable",
          "the Confidential Computing API answered " + code + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new AttestationException("token_unavailable", "could not collect the VM's evidence: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
