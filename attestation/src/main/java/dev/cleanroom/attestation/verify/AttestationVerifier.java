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
 * are ignored).
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
    checks.add(notebook(folder, manifest));
    checks.add(outputs(folder, manifest, options.withoutOutputs()));
    checks.add(software(claims, options));
    checks.add(debug(claims));
    checks.add(support(claims));
    checks.add(hardware(claims, options));
    checks.add(secureBoot(claims));
    options.rebuilder().ifPresent(r -> checks.add(rebuild(r, folder, manifest)));

    boolean passed = checks.stream().allMatch(Check::passed);
    return new Verification(checks, keys.description(),
        passed ? Optional.of(new VerifiedAttestation(manifest, claims, keys.description())) : Optional.empty());
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

  private KeyChoice keys(AttestationReport report, AttestationClaims claims, VerificationOptions options) {
    String archiveHint = "; keys rotate: check against an archived JWKS (--archived-jwks, or --jwks FILE)";
    return switch (options.keys()) {
      case KeySource.Offline offline ->
          KeyChoice.of(offline.jwks(), "the offline JWKS (" + offline.jwks().source() + ")", "");
      case KeySource.Archived archived -> report.jwks()
          .map(j -> KeyChoice.of(j, archiveDescription(j), ""))
          .orElse(KeyChoice.none("the report has no archived JWKS; check against the live issuer or --jwks FILE"));
      case KeySource.Live live -> {
        String issuer = claims.issuer();
        boolean simulator = issuer.equals(SimulatorIssuer.ISSUER) && options.allowSimulator();
        if (!simulator && !issuer.equals(ConfidentialSpace.ISSUER)) {
          yield KeyChoice.none("no trusted keys for issuer " + printable(issuer));
        }
        if (simulator && live.discoveryUrl().isEmpty()) {
          // The simulator has no public issuer to ask, and its keys vouch for nothing a simulator user
          // could not sign anyway; so its archive is as good as its live set.
          yield report.jwks()
              .map(j -> KeyChoice.of(j, archiveDescription(j) + " (the simulator has no public issuer)", ""))
              .orElse(KeyChoice.none("a simulated report without archived keys; pass --discovery URL or --jwks FILE"));
        }
        URI discovery = live.discoveryUrl().orElse(URI.create(ConfidentialSpace.DISCOVERY_URL));
        try {
          ArchivedJwks fetched = fetcher.fetch(discovery, issuer);
          yield KeyChoice.of(fetched, "the live JWKS of " + issuer + " (" + fetched.source() + ")", archiveHint);
        } catch (AttestationException e) {
          yield KeyChoice.none("could not read the issuer's live JWKS: " + e.getMessage() + "; verify offline with --jwks FILE");
        }
      }
    };
  }

  private static String archiveDescription(ArchivedJwks jwks) {
    return "the report's archived JWKS (fetched " + jwks.fetchedAt() + " from " + printable(jwks.source()) + ")";
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
      digest = rebuilder.rebuild(folder.notebook());
    } catch (AttestationException e) {
      return Check.fail(CheckName.REBUILD, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return Check.fail(CheckName.REBUILD, "the rebuild failed: " + e.getMessage());
    }
    return digest.equals(manifest.imageDigest())
        ? Check.pass(CheckName.REBUILD, "rebuilt image " + abbreviate(digest) + " is the attested one")
        : Check.fail(CheckName.REBUILD, "rebuilt image " + abbreviate(digest) + " differs from the attested "
            + abbreviate(manifest.imageDigest()) + ": the build is not reproducible or the image is not this notebook's");
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
