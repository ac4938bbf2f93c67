package dev.cleanroom.attestation.verify;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JOSEObject;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.claims.AttestationClaims;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.jwks.JwksFetcher;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.AttestationReport;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Verifies a job's attestation report: that Google's attestation verifier (or, if allowed, the local
 * simulator) signed a token for exactly this manifest, from a hardened Confidential Space image that is
 * the manifest's image, and that the files in the job folder are the ones the manifest lists.
 *
 * <p>Every check runs and is reported with its reason, so an auditor sees all that is wrong at once; the
 * result holds a {@link VerifiedAttestation} only if every check passed.
 *
 * <p>Invariant: claims are read from the token before its signature is known to be good only to report
 * on them; nothing is accepted unless the signature verified with a key from a trusted source, and no
 * key is ever taken from the token itself ({@code jwk}, {@code jku}, {@code x5c}, {@code x5u} headers
 * are ignored) or from the report alone (its archive counts only where a trusted set holds the same key).
 *
 * <p>With a trust file, the token and manifest are also checked against the deployment: its audience, project,
 * service accounts, images and the providers' input commitments. Without one, a genuine report proves only that
 * someone's Confidential Space VM ran the image on something.
 */
public final class AttestationVerifier {
  private final JwksFetcher fetcher;

  private AttestationVerifier(JwksFetcher fetcher) {
    this.fetcher = fetcher;
  }

  public static AttestationVerifier create() {
    return new AttestationVerifier(JwksFetcher.create(java.time.Clock.systemUTC()));
  }

  /**
   * Verifies the report in a job folder (see {@link JobFolder}) against the files in it.
   *
   * @throws AttestationException {@code invalid_report} or {@code invalid_manifest} when the folder holds
   *     no readable report: there is nothing to check then
   */
  public Verification verify(JobFolder folder, VerificationOptions options) throws IOException {
    AttestationReport report = folder.readReport();
    JobManifest manifest = report.manifest();
    JWT jwt;
    AttestationClaims claims;
    try {
      jwt = JWTParser.parse(report.token());
      // The raw payload, not nimbus's claims set: a mistyped claim should fail its own check, with its reason.
      Map<String, Object> payload = jwt instanceof JOSEObject jose ? jose.getPayload().toJSONObject() : null;
      if (payload == null) {
        throw new ParseException("no JSON payload", 0);
      }
      claims = AttestationClaims.fromMap(payload);
    } catch (ParseException e) {
      throw new AttestationException("invalid_report", "the token does not decode as a JWT");
    }

    List<Check> checks = new ArrayList<>();
    Check algorithm = algorithm(jwt);
    checks.add(algorithm);
    KeyChoice keys = keys(report, claims, options);
    Optional<RSAKey> key = Optional.empty();
    Check keyCheck;
    String kid = jwt.getHeader() instanceof com.nimbusds.jose.JWSHeader h ? h.getKeyID() : null;
    if (kid == null || kid.isEmpty()) {
      keyCheck = Check.fail(CheckName.KEY, "the token names no key id (kid)");
    } else if (keys.set().isEmpty()) {
      keyCheck = Check.fail(CheckName.KEY, keys.problem());
    } else {
      JWK found = keys.set().get().getKeyByKeyId(kid);
      if (found == null) {
        keyCheck = Check.fail(CheckName.KEY, "no key " + printable(kid) + " in " + keys.description() + keys.missingKeyHint());
      } else if (!(found instanceof RSAKey rsa)) {
        keyCheck = Check.fail(CheckName.KEY, "key " + printable(kid) + " is not an RSA key");
      } else if (rsa.getKeyUse() != null && !KeyUse.SIGNATURE.equals(rsa.getKeyUse())) {
        keyCheck = Check.fail(CheckName.KEY, "key " + printable(kid) + " is not a signing key");
      } else if (rsa.getAlgorithm() != null && !JWSAlgorithm.RS256.equals(rsa.getAlgorithm())) {
        keyCheck = Check.fail(CheckName.KEY, "key " + printable(kid) + " is not for RS256");
      } else if (rsa.size() < 2048) {
        keyCheck = Check.fail(CheckName.KEY, "key " + printable(kid) + " is shorter than 2048 bits");
      } else {
        key = Optional.of(rsa);
        keyCheck = Check.pass(CheckName.KEY, "key " + printable(kid) + " from " + keys.description());
      }
    }
    checks.add(keyCheck);
    checks.add(signature(jwt, algorithm, key, kid));
    checks.add(issuer(claims, options));
    checks.add(audience(claims, options));
    checks.addAll(times(claims, manifest, options));
    checks.add(nonce(claims, manifest));
    checks.add(imageDigest(claims, manifest));
    checks.add(jobId(claims, manifest));
    options.trust().ifPresent(trust -> {
      checks.add(project(claims, trust));
      checks.add(serviceAccount(claims, trust));
      checks.add(imageReference(claims, manifest, trust));
      checks.add(inputs(manifest, trust));
    });
    checks.add(notebook(folder, manifest));
    checks.add(outputs(folder, manifest, options.withoutOutputs()));
    checks.add(software(claims, options));
    checks.add(debug(claims));
    checks.add(support(claims));
    checks.add(hardware(claims, options));
    checks.add(secureBoot(claims));
    options.rebuilder().ifPresent(r -> checks.add(rebuild(r, folder, manifest)));

    boolean passed = checks.stream().allMatch(Check::passed);
    Optional<String> deployment = options.trust().map(DeploymentTrust::deployment);
    return new Verification(checks, keys.description(), deployment,
        passed ? Optional.of(new VerifiedAttestation(manifest, claims, keys.description(), deployment)) : Optional.empty());
  }

  private static Check algorithm(JWT jwt) {
    if (jwt instanceof PlainJWT) {
      return Check.fail(CheckName.ALGORITHM, "alg none: the token is unsigned");
    }
    if (!(jwt instanceof SignedJWT)) {
      return Check.fail(CheckName.ALGORITHM, "the token is encrypted, not signed");
    }
    String alg = jwt.getHeader().getAlgorithm().getName();
    if (!alg.equals(ConfidentialSpace.ALGORITHM)) {
      return Check.fail(CheckName.ALGORITHM, "alg " + printable(alg) + " refused: only RS256 is accepted");
    }
    return Check.pass(CheckName.ALGORITHM, "RS256");
  }

  private static Check signature(JWT jwt, Check algorithm, Optional<RSAKey> key, String kid) {
    if (!algorithm.passed()) {
      return Check.fail(CheckName.SIGNATURE, "not checked: the algorithm is refused");
    }
    if (key.isEmpty()) {
      return Check.fail(CheckName.SIGNATURE, "not checked: no trusted key");
    }
    SignedJWT signed = (SignedJWT) jwt;
    try {
      // The verifier is built for RS256 keys only; the algorithm was pinned above, never taken on trust.
      if (signed.getState() == JWSObject.State.SIGNED && signed.verify(new RSASSAVerifier(key.get()))) {
        return Check.pass(CheckName.SIGNATURE, "valid RS256 signature by key " + printable(kid));
      }
    } catch (JOSEException | IllegalStateException e) {
      // Falls through to the failure: a malformed signature is no signature.
    }
    return Check.fail(CheckName.SIGNATURE, "the signature does not verify with key " + printable(kid));
  }

  /** The trusted key set, or why there is none. */
  private record KeyChoice(Optional<JWKSet> set, String description, String problem, String missingKeyHint) {
    static KeyChoice of(ArchivedJwks jwks, String description, String missingKeyHint) {
      try {
        return new KeyChoice(Optional.of(ArchivedJwks.parse(jwks.json())), description, "", missingKeyHint);
      } catch (AttestationException e) {
        return none(description + ": " + e.getMessage());
      }
    }

    static KeyChoice none(String problem) {
      return new KeyChoice(Optional.empty(), "no trusted keys", problem, "");
    }
  }

  private static final String ARCHIVE_IS_EVIDENCE = "the report's archived JWKS is evidence, not a trust root: ";

  private KeyChoice keys(AttestationReport report, AttestationClaims claims, VerificationOptions options) {
    return switch (options.keys()) {
      case KeySource.Offline offline ->
          KeyChoice.of(offline.jwks(), "the offline JWKS (" + offline.jwks().source() + ")", "");
      case KeySource.Archived archived -> archivedAlsoIn(report, trustedKeys(claims, options, Optional.empty()));
      case KeySource.Live live -> trustedKeys(claims, options, live.discoveryUrl());
    };
  }

  /**
   * The keys of the report's archive that the trusted set also holds, compared by thumbprint: the archive says
   * which key signed, and only the trusted set says that key is the issuer's.
   */
  private static KeyChoice archivedAlsoIn(AttestationReport report, KeyChoice trusted) {
    if (report.jwks().isEmpty()) {
      return KeyChoice.none("the report has no archived JWKS; check against the live issuer or --jwks FILE");
    }
    if (trusted.set().isEmpty()) {
      return KeyChoice.none(ARCHIVE_IS_EVIDENCE + "the keys to check it against are not available (" + trusted.problem() + ")");
    }
    List<JWK> kept = new ArrayList<>();
    try {
      java.util.Set<String> thumbprints = new java.util.HashSet<>();
      for (JWK key : trusted.set().get().getKeys()) {
        thumbprints.add(key.computeThumbprint().toString());
      }
      for (JWK key : ArchivedJwks.parse(report.jwks().get().json()).getKeys()) {
        if (thumbprints.contains(key.computeThumbprint().toString())) {
          kept.add(key);
        }
      }
    } catch (JOSEException | AttestationException e) {
      return KeyChoice.none("the report's archived JWKS cannot be compared with " + trusted.description());
    }
    if (kept.isEmpty()) {
      return KeyChoice.none(ARCHIVE_IS_EVIDENCE + "none of its keys is in " + trusted.description()
          + "; verify with a JWKS of the token's time that you obtained yourself (--jwks FILE)");
    }
    return new KeyChoice(Optional.of(new JWKSet(kept)), "the report's archived keys that are also in " + trusted.description(),
        "", "");
  }

  /** The keys this verification trusts for the token's issuer without being handed them: never the report's. */
  private KeyChoice trustedKeys(AttestationClaims claims, VerificationOptions options, Optional<URI> discoveryUrl) {
    String issuer = claims.issuer();
    if (issuer.equals(SimulatorIssuer.ISSUER) && options.allowSimulator()) {
      if (discoveryUrl.isEmpty()) {
        Optional<ArchivedJwks> deployed = options.trust().flatMap(DeploymentTrust::simulatorJwks);
        return deployed
            .map(keys -> KeyChoice.of(keys, "the simulator keys of " + options.trust().get().deployment() + "'s trust file", ""))
            .orElse(KeyChoice.none("a simulated report: its simulator's keys come from the deployment's trust file"
                + " (--trust FILE), its discovery document (--discovery URL) or --jwks FILE, never from the report"));
      }
      return fetched(discoveryUrl.get(), issuer, "");
    }
    if (!issuer.equals(ConfidentialSpace.ISSUER)) {
      return KeyChoice.none("no trusted keys for issuer " + printable(issuer));
    }
    URI pinned = URI.create(ConfidentialSpace.DISCOVERY_URL);
    if (discoveryUrl.isPresent() && !discoveryUrl.get().equals(pinned)) {
      // Any https server can publish a document naming Google's issuer; only Google's own document counts.
      return KeyChoice.none("Google's keys are read only from its own discovery document, " + pinned
          + "; --discovery is for a simulator's issuer");
    }
    return fetched(pinned, issuer, "; keys rotate: verify with a JWKS of the token's time that you obtained yourself"
        + " (--jwks FILE); a report's archived copy is evidence, not proof");
  }

  private KeyChoice fetched(URI discovery, String issuer, String missingKeyHint) {
    try {
      ArchivedJwks fetched = fetcher.fetch(discovery, issuer);
      return KeyChoice.of(fetched, "the live JWKS of " + issuer + " (" + fetched.source() + ")", missingKeyHint);
    } catch (AttestationException e) {
      return KeyChoice.none("could not read the issuer's live JWKS: " + e.getMessage() + "; verify offline with --jwks FILE");
    }
  }

  private static Check issuer(AttestationClaims claims, VerificationOptions options) {
    String iss = claims.issuer();
    if (iss.equals(ConfidentialSpace.ISSUER)) {
      return Check.pass(CheckName.ISSUER, iss);
    }
    if (iss.equals(SimulatorIssuer.ISSUER)) {
      return options.allowSimulator()
          ? Check.pass(CheckName.ISSUER, "the local simulator (allowed: a simulated run)")
          : Check.fail(CheckName.ISSUER, "the local simulator, not Google: a simulated run; pass --allow-simulator to accept it");
    }
    return Check.fail(CheckName.ISSUER, "issuer " + printable(iss) + " is not " + ConfidentialSpace.ISSUER);
  }

  private static Check audience(AttestationClaims claims, VerificationOptions options) {
    if (claims.audiences().contains(options.audience())) {
      return Check.pass(CheckName.AUDIENCE, options.audience());
    }
    return Check.fail(CheckName.AUDIENCE, "the token is for " + printable(String.join(", ", claims.audiences()))
        + ", not " + options.audience() + " (--audience sets the expected one)");
  }

  private static List<Check> times(AttestationClaims claims, JobManifest manifest, VerificationOptions options) {
    Instant now = options.clock().instant();
    Duration skew = options.clockSkew();
    Instant finished = manifest.finishedAt();
    List<Check> checks = new ArrayList<>();
    Optional<Instant> iat = claims.issuedAt();
    Optional<Instant> exp = claims.expiresAt();

    if (exp.isEmpty()) {
      checks.add(Check.fail(CheckName.EXPIRY, "the token has no exp"));
    } else if (options.timesAtJobEnd()) {
      checks.add(iat.isPresent() && exp.get().isAfter(iat.get())
          ? Check.pass(CheckName.EXPIRY, "valid until " + exp.get() + "; checked as of the job's end, not now")
          : Check.fail(CheckName.EXPIRY, "the token expires before it was issued"));
    } else if (!now.isBefore(exp.get().plus(skew))) {
      checks.add(Check.fail(CheckName.EXPIRY, "expired at " + exp.get() + ", " + human(Duration.between(exp.get(), now))
          + " ago; for an archived report, check as of the job's end with --at-job-end"));
    } else {
      checks.add(Check.pass(CheckName.EXPIRY, "valid until " + exp.get()));
    }

    Instant validFrom = options.timesAtJobEnd() ? iat.orElse(now) : now;
    Optional<Instant> nbf = claims.notBefore();
    if (nbf.isPresent() && nbf.get().isAfter(validFrom.plus(skew))) {
      checks.add(Check.fail(CheckName.NOT_BEFORE, "not valid before " + nbf.get()));
    } else {
      checks.add(Check.pass(CheckName.NOT_BEFORE, nbf.map(t -> "valid from " + t).orElse("no nbf claim")));
    }

    if (iat.isEmpty()) {
      checks.add(Check.fail(CheckName.ISSUED_AT, "the token has no iat"));
    } else if (iat.get().isAfter(now.plus(skew))) {
      checks.add(Check.fail(CheckName.ISSUED_AT, "issued in the future, at " + iat.get()));
    } else if (iat.get().isBefore(finished.minus(skew))) {
      checks.add(Check.fail(CheckName.ISSUED_AT, "issued at " + iat.get() + ", before the job finished at " + finished));
    } else if (options.timesAtJobEnd() && iat.get().isAfter(finished.plus(VerificationOptions.MAX_TOKEN_DELAY))) {
      checks.add(Check.fail(CheckName.ISSUED_AT, "issued " + human(Duration.between(finished, iat.get()))
          + " after the job finished; at most 10 min is accepted"));
    } else {
      checks.add(Check.pass(CheckName.ISSUED_AT, "issued at " + iat.get() + ", after the job finished"));
    }
    return checks;
  }

  private static Check nonce(AttestationClaims claims, JobManifest manifest) {
    String expected = manifest.nonce().hex();
    if (claims.nonces().contains(expected)) {
      return Check.pass(CheckName.NONCE, "sha256(manifest) " + manifest.nonce().abbreviated());
    }
    if (claims.nonces().isEmpty()) {
      return Check.fail(CheckName.NONCE, "the token carries no eat_nonce");
    }
    return Check.fail(CheckName.NONCE, "eat_nonce " + abbreviate(claims.nonces().get(0)) + " is not sha256(manifest) "
        + manifest.nonce().abbreviated() + ": the token is for another manifest");
  }

  private static Check imageDigest(AttestationClaims claims, JobManifest manifest) {
    String attested = claims.container().imageDigest();
    if (attested.isEmpty()) {
      return Check.fail(CheckName.IMAGE_DIGEST, "the token carries no submods.container.image_digest");
    }
    if (!attested.equals(manifest.imageDigest())) {
      return Check.fail(CheckName.IMAGE_DIGEST, "the token attests image " + abbreviate(attested)
          + " but the manifest names " + abbreviate(manifest.imageDigest()));
    }
    return Check.pass(CheckName.IMAGE_DIGEST, abbreviate(attested));
  }

  private static Check jobId(AttestationClaims claims, JobManifest manifest) {
    String attested = claims.container().env().get(JobManifest.JOB_ID_VARIABLE);
    if (attested == null) {
      return Check.fail(CheckName.JOB_ID, "the token's submods.container.env has no " + JobManifest.JOB_ID_VARIABLE
          + ": nothing says which job the container ran");
    }
    return attested.equals(manifest.jobId())
        ? Check.pass(CheckName.JOB_ID, JobManifest.JOB_ID_VARIABLE + "=" + printable(attested))
        : Check.fail(CheckName.JOB_ID, "the container ran job " + printable(attested) + ", the manifest is for " + manifest.jobId());
  }

  private static Check project(AttestationClaims claims, DeploymentTrust trust) {
    if (claims.gce().isEmpty()) {
      return Check.fail(CheckName.PROJECT, "the token carries no submods.gce");
    }
    String id = claims.gce().get().projectId();
    String number = claims.gce().get().projectNumber();
    if (id.equals(trust.projectId()) && number.equals(trust.projectNumber())) {
      return Check.pass(CheckName.PROJECT, id + " (" + number + ")");
    }
    return Check.fail(CheckName.PROJECT, "the VM ran in project " + printable(id) + " (" + printable(number) + "), not "
        + trust.projectId() + " (" + trust.projectNumber() + ")");
  }

  private static Check serviceAccount(AttestationClaims claims, DeploymentTrust trust) {
    List<String> accounts = claims.serviceAccounts();
    if (accounts.isEmpty()) {
      return Check.fail(CheckName.SERVICE_ACCOUNT, "the token names no google_service_accounts");
    }
    List<String> foreign = accounts.stream().filter(a -> !trust.serviceAccounts().contains(a)).toList();
    return foreign.isEmpty()
        ? Check.pass(CheckName.SERVICE_ACCOUNT, String.join(", ", accounts))
        : Check.fail(CheckName.SERVICE_ACCOUNT, "the VM ran as " + printable(String.join(", ", foreign))
            + ", not a workload service account of the deployment");
  }

  private static Check imageReference(AttestationClaims claims, JobManifest manifest, DeploymentTrust trust) {
    String reference = claims.container().imageReference();
    if (!trust.allowsImageReference(reference)) {
      return Check.fail(CheckName.IMAGE_REFERENCE, "image " + printable(reference) + " is not in the deployment's repositories "
          + trust.imageRepositories());
    }
    if (!trust.imageDigests().isEmpty() && !trust.imageDigests().contains(manifest.imageDigest())) {
      return Check.fail(CheckName.IMAGE_REFERENCE, "image " + abbreviate(manifest.imageDigest())
          + " is not among the digests the trust file allows");
    }
    return Check.pass(CheckName.IMAGE_REFERENCE, printable(reference)
        + (trust.imageDigests().isEmpty() ? "" : ", a digest the trust file lists"));
  }

  private static Check inputs(JobManifest manifest, DeploymentTrust trust) {
    List<String> problems = new ArrayList<>();
    manifest.inputs().forEach((name, commitment) -> {
      Sha256 published = trust.inputs().get(name);
      if (published == null) {
        problems.add(printable(name) + " is no input the trust file lists");
      } else if (!published.equals(commitment)) {
        problems.add(printable(name) + " is not the data its provider committed to (" + commitment.abbreviated()
            + ", published " + published.abbreviated() + ")");
      }
    });
    if (problems.isEmpty()) {
      return Check.pass(CheckName.INPUTS, manifest.inputs().isEmpty() ? "the job read no input"
          : manifest.inputs().size() + " input(s) match the published commitments");
    }
    String shown = String.join("; ", problems.subList(0, Math.min(3, problems.size())));
    return Check.fail(CheckName.INPUTS, problems.size() > 3 ? shown + "; and " + (problems.size() - 3) + " more" : shown);
  }

  private static Check notebook(JobFolder folder, JobManifest manifest) {
    if (!Files.isRegularFile(folder.notebook())) {
      return Check.fail(CheckName.NOTEBOOK, JobFolder.NOTEBOOK + " is missing from the job folder");
    }
    try {
      Sha256 actual = Sha256.of(folder.notebook());
      return actual.equals(manifest.notebook())
          ? Check.pass(CheckName.NOTEBOOK, "sha256 " + actual.abbreviated())
          : Check.fail(CheckName.NOTEBOOK, JobFolder.NOTEBOOK + " has sha256 " + actual.abbreviated()
              + ", the manifest names " + manifest.notebook().abbreviated());
    } catch (IOException e) {
      return Check.fail(CheckName.NOTEBOOK, "could not read " + JobFolder.NOTEBOOK + ": " + e.getMessage());
    }
  }

  private static Check outputs(JobFolder folder, JobManifest manifest, boolean withoutOutputs) {
    SortedMap<String, Sha256> actual;
    try {
      actual = folder.hashOutputs();
    } catch (AttestationException e) {
      return Check.fail(CheckName.OUTPUTS, e.getMessage());
    } catch (IOException e) {
      return Check.fail(CheckName.OUTPUTS, "could not read the job folder: " + e.getMessage());
    }
    SortedMap<String, Sha256> expected = manifest.outputs();
    if (withoutOutputs) {
      if (!actual.isEmpty()) {
        return Check.fail(CheckName.OUTPUTS, "without-outputs was asked, but the folder holds " + actual.size()
            + " output file(s), such as " + printable(actual.firstKey()) + "; verify without that option to compare them");
      }
      StringBuilder bound = new StringBuilder("not compared (without outputs); the manifest binds ");
      expected.forEach((name, hash) -> bound.append(printable(name)).append(" sha256 ").append(hash.hex()).append("; "));
      return Check.pass(CheckName.OUTPUTS, bound.substring(0, bound.length() - 2));
    }
    List<String> problems = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(expected.keySet());
    names.addAll(actual.keySet());
    for (String name : names) {
      Sha256 want = expected.get(name);
      Sha256 got = actual.get(name);
      if (want == null) {
        problems.add(printable(name) + " is not in the manifest");
      } else if (got == null) {
        problems.add(printable(name) + " is missing");
      } else if (!want.equals(got)) {
        problems.add(printable(name) + " changed since the run (sha256 " + got.abbreviated() + ", manifest " + want.abbreviated() + ")");
      }
    }
    if (problems.isEmpty()) {
      return Check.pass(CheckName.OUTPUTS, expected.size() + (expected.size() == 1 ? " file matches" : " files match") + " the manifest");
    }
    String shown = String.join("; ", problems.subList(0, Math.min(3, problems.size())));
    return Check.fail(CheckName.OUTPUTS, problems.size() > 3 ? shown + "; and " + (problems.size() - 3) + " more" : shown);
  }

  private static Check software(AttestationClaims claims, VerificationOptions options) {
    String swname = claims.softwareName();
    if (swname.equals(ConfidentialSpace.SOFTWARE_NAME)) {
      return Check.pass(CheckName.SOFTWARE, swname);
    }
    if (swname.equals(SimulatorIssuer.SOFTWARE_NAME)) {
      return options.allowSimulator()
          ? Check.pass(CheckName.SOFTWARE, swname + " (allowed: a simulated run)")
          : Check.fail(CheckName.SOFTWARE, swname + ": a simulated run, not Confidential Space; pass --allow-simulator to accept it");
    }
    if (swname.equals("GCE")) {
      return Check.fail(CheckName.SOFTWARE, "GCE: a plain Confidential VM, which attests no container image");
    }
    return Check.fail(CheckName.SOFTWARE, "swname '" + printable(swname) + "' is not " + ConfidentialSpace.SOFTWARE_NAME);
  }

  private static Check debug(AttestationClaims claims) {
    return claims.debugStatus().equals(ConfidentialSpace.DEBUG_DISABLED)
        ? Check.pass(CheckName.DEBUG, claims.debugStatus())
        : Check.fail(CheckName.DEBUG, "dbgstat '" + printable(claims.debugStatus())
            + "': a debug image, which lets its operator into the TEE");
  }

  private static Check support(AttestationClaims claims) {
    return claims.supportAttributes().contains(ConfidentialSpace.STABLE)
        ? Check.pass(CheckName.SUPPORT, String.join(", ", claims.supportAttributes()))
        : Check.fail(CheckName.SUPPORT, "support_attributes [" + printable(String.join(", ", claims.supportAttributes()))
            + "] lack STABLE: not a supported production image");
  }

  private static Check hardware(AttestationClaims claims, VerificationOptions options) {
    String model = claims.hardwareModel();
    return options.hardwareModels().contains(model)
        ? Check.pass(CheckName.HARDWARE, model)
        : Check.fail(CheckName.HARDWARE, "hwmodel '" + printable(model) + "' is not among the allowed "
            + new TreeSet<>(options.hardwareModels()));
  }

  private static Check secureBoot(AttestationClaims claims) {
    return claims.secureBoot().orElse(false)
        ? Check.pass(CheckName.SECURE_BOOT, "secboot true")
        : Check.fail(CheckName.SECURE_BOOT, "the token does not say the VM booted with Secure Boot");
  }

  private static Check rebuild(ImageRebuilder rebuilder, JobFolder folder, JobManifest manifest) {
    if (!Files.isRegularFile(folder.notebook())) {
      return Check.fail(CheckName.REBUILD, "needs " + JobFolder.NOTEBOOK + " in the job folder");
    }
    String digest;
    try {
      // A run's manifest lists the inputs the launcher checked; for a run that was not refused, those are the ones
      // its image was approved for, which the image carries.
      digest = rebuilder.rebuild(folder.notebook(), manifest.inputs());
    } catch (AttestationException e) {
      return Check.fail(CheckName.REBUILD, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return Check.fail(CheckName.REBUILD, "the rebuild failed: " + e.getMessage());
    }
    return digest.equals(manifest.imageDigest())
        ? Check.pass(CheckName.REBUILD, "rebuilt image " + abbreviate(digest) + " is the attested one")
        : Check.fail(CheckName.REBUILD, "rebuilt image " + abbreviate(digest) + " differs from the attested "
            + abbreviate(manifest.imageDigest()) + ": the build is not reproducible, or the image is not this notebook's approved for these inputs");
  }

  private static String abbreviate(String value) {
    String p = printable(value);
    int cut = p.startsWith("sha256:") ? 19 : 12;
    return p.length() > cut + 1 ? p.substring(0, cut) + "…" : p;
  }

  /** Text from a token or report, made safe to print: no control characters, at most 120 characters. */
  static String printable(String value) {
    String p = value.replaceAll("\\p{Cntrl}", "?");
    return p.length() > 120 ? p.substring(0, 120) + "…" : p;
  }

  private static String human(Duration d) {
    long s = Math.abs(d.getSeconds());
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return s / 60 + " min";
    }
    if (s < 172800) {
      return s / 3600 + " h";
    }
    return s / 86400 + " days";
  }
}
