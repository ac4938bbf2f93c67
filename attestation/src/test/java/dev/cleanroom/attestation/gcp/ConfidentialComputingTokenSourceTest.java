package dev.cleanroom.attestation.gcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.confidentialcomputing.v1.Challenge;
import com.google.cloud.confidentialcomputing.v1.ConfidentialComputingClient;
import com.google.cloud.confidentialcomputing.v1.ConfidentialComputingGrpc;
import com.google.cloud.confidentialcomputing.v1.ConfidentialComputingSettings;
import com.google.cloud.confidentialcomputing.v1.CreateChallengeRequest;
import com.google.cloud.confidentialcomputing.v1.LocationName;
import com.google.cloud.confidentialcomputing.v1.TokenType;
import com.google.cloud.confidentialcomputing.v1.TpmAttestation;
import com.google.cloud.confidentialcomputing.v1.VerifyAttestationRequest;
import com.google.cloud.confidentialcomputing.v1.VerifyAttestationResponse;
import com.google.protobuf.ByteString;
import com.nimbusds.jwt.SignedJWT;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.token.TokenRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Confidential Computing API path, against an in-process fake of Google's service. */
class ConfidentialComputingTokenSourceTest {
  private static final LocationName LOCATION = LocationName.of("cleanroom", "us-central1");
  private static final String NONCE = "a".repeat(64);
  private static final byte[] TPM_NONCE = "challenge-nonce-0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * A fake of Google's verifier: issues one-shot challenges and, for evidence that quotes the challenge's
   * nonce, an OIDC token for the requested audience and nonces, signed by the test's stand-in Google key.
   */
  static final class FakeVerifier extends ConfidentialComputingGrpc.ConfidentialComputingImplBase {
    final Map<String, Boolean> challenges = new ConcurrentHashMap<>(); // name → used
    volatile VerifyAttestationRequest lastRequest;

    @Override
    public void createChallenge(CreateChallengeRequest request, StreamObserver<Challenge> response) {
      String name = request.getParent() + "/challenges/" + java.util.UUID.randomUUID();
      challenges.put(name, false);
      response.onNext(Challenge.newBuilder().setName(name).setTpmNonce(Base64.getEncoder().encodeToString(TPM_NONCE)).build());
      response.onCompleted();
    }

    @Override
    public void verifyAttestation(VerifyAttestationRequest request, StreamObserver<VerifyAttestationResponse> response) {
      lastRequest = request;
      Boolean used = challenges.replace(request.getChallenge(), true);
      if (used == null || used) {
        response.onError(Status.FAILED_PRECONDITION.withDescription("challenge unknown or already used").asRuntimeException());
        return;
      }
      boolean quotesNonce = request.getTpmAttestation().getQuotesList().stream()
          .anyMatch(q -> q.getRawQuote().equals(ByteString.copyFrom(TPM_NONCE)));
      if (!quotesNonce) {
        response.onError(Status.INVALID_ARGUMENT.withDescription("quote does not cover the challenge").asRuntimeException());
        return;
      }
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("iss", ConfidentialSpace.ISSUER);
      claims.put("aud", request.getTokenOptions().getAudience());
      claims.put("eat_nonce", request.getTokenOptions().getNonceList());
      claims.put("swname", "GCE");
      claims.put("hwmodel", "GCP_INTEL_TDX");
      response.onNext(VerifyAttestationResponse.newBuilder()
          .setOidcClaimsToken(TestJobs.sign(claims, TestJobs.googleKey())).build());
      response.onCompleted();
    }
  }

  /** Evidence standing in for a vTPM quote: a quote whose raw bytes are the nonce. */
  private static final PlatformEvidence QUOTING = (nonce, request) -> request.setTpmAttestation(
      TpmAttestation.newBuilder().addQuotes(TpmAttestation.Quote.newBuilder().setHashAlgo(11).setRawQuote(ByteString.copyFrom(nonce))));

  private final FakeVerifier fake = new FakeVerifier();
  private Server server;
  private ManagedChannel channel;
  private ConfidentialComputingClient client;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(fake).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    client = ConfidentialComputingClient.create(ConfidentialComputingSettings.newBuilder()
        .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
        .setCredentialsProvider(NoCredentialsProvider.create())
        .build());
  }

  @AfterEach
  void stop() {
    client.close();
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void token_carriesTheRequestedAudienceAndNonce() throws Exception {
    String token = new ConfidentialComputingTokenSource(client, LOCATION, QUOTING).token(TokenRequest.oidc("https://bridge.example", NONCE));
    SignedJWT jwt = SignedJWT.parse(token);
    assertEquals(java.util.List.of("https://bridge.example"), jwt.getJWTClaimsSet().getAudience());
    assertEquals(java.util.List.of(NONCE), jwt.getJWTClaimsSet().getStringListClaim("eat_nonce"));
  }

  @Test
  void token_asksForAnOidcTokenOnAChallengeOfItsLocation() {
    new ConfidentialComputingTokenSource(client, LOCATION, QUOTING).token(TokenRequest.oidc("aud", NONCE));
    assertEquals(TokenType.TOKEN_TYPE_OIDC, fake.lastRequest.getTokenOptions().getTokenType());
    assertTrue(fake.lastRequest.getChallenge().startsWith("projects/cleanroom/locations/us-central1/challenges/"));
  }

  @Test
  void token_bindsTheEvidenceToTheChallengesNonce() {
    byte[][] seen = new byte[1][];
    new ConfidentialComputingTokenSource(client, LOCATION, (nonce, request) -> {
      seen[0] = nonce;
      QUOTING.attach(nonce, request);
    }).token(TokenRequest.oidc("aud", NONCE));
    assertArrayEquals(TPM_NONCE, seen[0]);
  }

  @Test
  void token_evidenceNotCoveringTheChallenge_isRefused() {
    PlatformEvidence stale = (nonce, request) -> QUOTING.attach(new byte[] {1, 2, 3}, request);
    AttestationException e = assertThrows(AttestationException.class,
        () -> new ConfidentialComputingTokenSource(client, LOCATION, stale).token(TokenRequest.oidc("aud", NONCE)));
    assertEquals("token_refused", e.code());
    assertTrue(e.getMessage().startsWith("the Confidential Computing API answered INVALID_ARGUMENT"), e.getMessage());
  }

  @Test
  void token_eachRequestUsesAFreshChallenge() {
    ConfidentialComputingTokenSource source = new ConfidentialComputingTokenSource(client, LOCATION, QUOTING);
    source.token(TokenRequest.oidc("aud", NONCE));
    source.token(TokenRequest.oidc("aud", NONCE));
    assertEquals(Set.of(true), Set.copyOf(fake.challenges.values()));
    assertEquals(2, fake.challenges.size());
  }

  @Test
  void token_evidenceCollectionFails_isUnavailable() {
    PlatformEvidence broken = (nonce, request) -> {
      throw new java.io.IOException("/dev/tpmrm0: no such device");
    };
    AttestationException e = assertThrows(AttestationException.class,
        () -> new ConfidentialComputingTokenSource(client, LOCATION, broken).token(TokenRequest.oidc("aud", NONCE)));
    assertEquals("token_unavailable", e.code());
    assertTrue(e.getMessage().contains("/dev/tpmrm0"), e.getMessage());
  }
}
