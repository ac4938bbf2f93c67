package dev.cleanroom.bridge.auth;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Maps a request's bearer token to the user it stands for: a token file (embedded default, tests) or
 * JupyterHub's API (production).
 *
 * <p>Implementations never log or echo a token. An unknown token is an empty caller, not a failure: a failed
 * future means the authenticator could not decide (the bridge then answers 503).
 */
public interface Authenticator {
  Future<Optional<Caller>> authenticate(String bearerToken);
}
