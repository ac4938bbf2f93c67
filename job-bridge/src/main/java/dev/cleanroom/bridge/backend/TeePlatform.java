package dev.cleanroom.bridge.backend;

import java.net.URI;

/**
 * Where stage-2 jobs run: an image builder, a TEE backend, and the issuer whose tokens vouch for the runs.
 * The local simulator (embedded default) and GCP Confidential Space are platforms; {@code --tee NAME} picks
 * one through {@link TeePlatformProvider}.
 */
public interface TeePlatform extends AutoCloseable {
  ImageBuild images();

  TeeBackend tee();

  /** The OIDC discovery document of the issuer that signs this platform's tokens; its JWKS is archived per job. */
  URI issuerDiscovery();

  /**
   * Where this platform's TEEs run and which images they pull: what the deployment's trust file says of them.
   *
   * @throws IllegalStateException when the platform's settings lack a value the trust file needs (say which)
   */
  PlatformIdentity identity();

  /**
   * Whether the tokens come from the local simulator. Only then does the bridge accept simulated tokens: a
   * simulated run never passes for a real one.
   */
  boolean simulated();

  /**
   * Hardware models to accept beyond the confidential ones (and, when simulated, the simulator's runc model): the
   * simulator's plain-process model where runc cannot run.
   */
  default java.util.Set<String> extraHardwareModels() {
    return java.util.Set.of();
  }

  /** The providers' grants a job's image needs to read its datasets; none where the bridge hands the TEE its inputs. */
  default DataGrants grants() {
    return DataGrants.NONE;
  }

  @Override
  default void close() throws Exception {}
}
