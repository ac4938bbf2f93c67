package dev.cleanroom.attestation.verify;

import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a verification accepts. Immutable; the builder refuses contradictory options and caps the clock
 * skew. The defaults are strict: Google's issuer only, keys from Google's live JWKS, confidential
 * hardware only, time claims checked against now. A verification is for one deployment ({@link Builder#trust})
 * or, said out loud, for any ({@link Builder#anyDeployment()}); {@link Builder#build()} refuses to guess.
 */
public final class VerificationOptions {
  /** The most clock skew a verification tolerates; RFC 7519 advises no more than a few minutes. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(1);
  /** With {@link Builder#checkTimesAtJobEnd()}: how long after the job's end its token may be issued. */
  public static final Duration MAX_TOKEN_DELAY = Duration.ofMinutes(10);

  private final Clock clock;
  private final Duration clockSkew;
  private final String audience;
  private final boolean allowSimulator;
  private final Set<String> hardwareModels;
  private final KeySource keys;
  private final Optional<ImageRebuilder> rebuilder;
  private final boolean timesAtJobEnd;
  private final boolean withoutOutputs;
  private final Optional<DeploymentTrust> trust;

  private VerificationOptions(Builder b, Set<String> hardwareModels) {
    this.clock = b.clock;
    this.clockSkew = b.clockSkew;
    this.trust = b.trust;
    this.audience = b.trust.map(DeploymentTrust::audience).orElse(b.audience);
    this.allowSimulator = b.allowSimulator;
    this.hardwareModels = Set.copyOf(hardwareModels);
    this.keys = b.keys == null ? new KeySource.Live(Optional.empty()) : b.keys;
    this.rebuilder = b.rebuilder;
    this.timesAtJobEnd = b.timesAtJobEnd;
    this.withoutOutputs = b.withoutOutputs;
  }

  public static Builder builder() {
    return new Builder();
  }


  public Clock clock() {
    return clock;
  }

  public Duration clockSkew() {
    return clockSkew;
  }

  public String audience() {
    return audience;
  }

  public boolean allowSimulator() {
    return allowSimulator;
  }

  public Set<String> hardwareModels() {
    return hardwareModels;
  }

  public KeySource keys() {
    return keys;
  }

  public Optional<ImageRebuilder> rebuilder() {
    return rebuilder;
  }

  public boolean timesAtJobEnd() {
    return timesAtJobEnd;
  }

  public boolean withoutOutputs() {
    return withoutOutputs;
  }

  /** The deployment the report must belong to; empty when the caller accepted any deployment. */
  public Optional<DeploymentTrust> trust() {
    return trust;
  }

  public static final class Builder {
    private static final Set<String> SIMULATED_HARDWARE =
        Set.copyOf(Arrays.stream(SimulatedWorkload.Isolation.values()).map(SimulatedWorkload.Isolation::hardwareModel).toList());

    private Clock clock = Clock.systemUTC();
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private String audience = TokenRequest.DEFAULT_AUDIENCE;
    private boolean audienceSet;
    private Optional<DeploymentTrust> trust = Optional.empty();
    private boolean anyDeployment;
    private boolean allowSimulator;
    private final Set<String> extraHardwareModels = new LinkedHashSet<>();
    private KeySource keys;
    private Optional<ImageRebuilder> rebuilder = Optional.empty();
    private boolean timesAtJobEnd;
    private boolean withoutOutputs;

    private Builder() {}

    /** The clock that "now" is read from; inject a fixed one in tests. */
    public Builder clock(Clock value) {
      if (value == null) {
        throw new NullPointerException("clock cannot be null");
      }
      this.clock = value;
      return this;
    }

    /** Tolerance for clock differences between the issuer and this machine; at most 5 minutes. */
    public Builder clockSkew(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("clock skew cannot be negative");
      }
      if (value.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException("clock skew too large, max is 5 minutes");
      }
      this.clockSkew = value;
      return this;
    }

    /**
     * The audience the token must name, for {@link #anyDeployment()}; by default the one the launcher asks for
     * when no deployment names one. A trust file names its own.
     */
    public Builder expectAudience(String value) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException("audience cannot be empty");
      }
      this.audience = value;
      this.audienceSet = true;
      return this;
    }

    /**
     * Checks the report against a deployment's trust file: its audience, project, service accounts, images,
     * input commitments and (for a simulated deployment) its simulator's keys.
     */
    public Builder trust(DeploymentTrust value) {
      this.trust = Optional.of(value);
      return this;
    }

    /**
     * Verifies without a trust file: the report then proves only that some Confidential Space VM, anyone's, ran
     * the attested image on some inputs, nothing about whose project ran it or whose data it read.
     */
    public Builder anyDeployment() {
      this.anyDeployment = true;
      return this;
    }

    /**
     * Also accepts the local simulator's tokens (its issuer, swname and runc hardware model) — for
     * development and demos only: a simulated run proves nothing about real data.
     */
    public Builder allowSimulator() {
      this.allowSimulator = true;
      return this;
    }

    /** Adds a hardware model to the accepted ones (e.g. the plain-process simulator, with allowSimulator). */
    public Builder allowHardwareModel(String value) {
      extraHardwareModels.add(value);
      return this;
    }

    /** Checks signatures against the issuer's live JWKS (the default). */
    public Builder liveKeys() {
      return keys(new KeySource.Live(Optional.empty()));
    }

    /** Checks signatures against the JWKS named by the discovery document at {@code discoveryUrl}. */
    public Builder liveKeys(URI discoveryUrl) {
      return keys(new KeySource.Live(Optional.of(discoveryUrl)));
    }

    /**
     * Checks signatures against the keys of the report's archived JWKS that are also in the issuer's live set (or,
     * for a simulated deployment, in its trust file): the archive is evidence of which key signed, never a source of
     * trust by itself.
     */
    public Builder archivedKeys() {
      return keys(new KeySource.Archived());
    }

    /** Checks signatures against a JWKS the auditor holds. */
    public Builder offlineKeys(ArchivedJwks jwks) {
      return keys(new KeySource.Offline(jwks));
    }

    private Builder keys(KeySource value) {
      if (keys != null) {
        throw new IllegalArgumentException("choose one key source: live, archived or offline");
      }
      this.keys = value;
      return this;
    }

    /** Rebuilds the image from the notebook and requires the attested digest. */
    public Builder rebuildWith(ImageRebuilder value) {
      this.rebuilder = Optional.of(value);
      return this;
    }

    /**
     * Checks the time claims as of the job's end instead of now: the token must have been issued within
     * {@link #MAX_TOKEN_DELAY} of the manifest's {@code finishedAt} and been valid then. For archived
     * reports, whose tokens expire an hour after the job.
     */
    public Builder checkTimesAtJobEnd() {
      this.timesAtJobEnd = true;
      return this;
    }

    /**
     * Verifies a folder that holds the report and the notebook but none of the outputs, as an auditor's
     * copy does (auditors never see outputs): the outputs check then lists the hashes the manifest binds
     * instead of comparing files, and fails if the folder holds any output, so none can be left out.
     */
    public Builder withoutOutputs() {
      this.withoutOutputs = true;
      return this;
    }

    public VerificationOptions build() {
      if (trust.isPresent() == anyDeployment) {
        throw new IllegalArgumentException(anyDeployment
            ? "choose one: a trust file or any deployment"
            : "name the deployment's trust file (--trust FILE), or accept any deployment (--any-deployment)");
      }
      if (trust.isPresent() && audienceSet) {
        throw new IllegalArgumentException("the trust file names the audience; do not give one too");
      }
      for (String model : extraHardwareModels) {
        if (SIMULATED_HARDWARE.contains(model) && !allowSimulator) {
          throw new IllegalArgumentException("allowHardwareModel(" + model + ") needs allowSimulator()");
        }
      }
      Set<String> models = new LinkedHashSet<>(ConfidentialSpace.CONFIDENTIAL_HARDWARE);
      if (allowSimulator) {
        models.add(SimulatedWorkload.Isolation.RUNC.hardwareModel());
      }
      models.addAll(extraHardwareModels);
      return new VerificationOptions(this, models);
    }
  }
}
