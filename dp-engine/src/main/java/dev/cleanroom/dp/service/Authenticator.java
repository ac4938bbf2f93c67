package dev.cleanroom.dp.service;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Maps the bearer token of a request to the user it stands for. The token file is the one source
 * today; JupyterHub's API tokens come later behind the same interface.
 *
 * <p>Implementations never log or echo a token, and answer an unknown token with an empty user, not a
 * failure: a failed future means the authenticator itself could not decide (the service then answers 503).
 */
public interface Authenticator {
  Future<Optional<String>> user(String bearerToken);
}
