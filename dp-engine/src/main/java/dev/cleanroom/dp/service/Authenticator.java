package dev.cleanroom.dp.service;

import dev.cleanroom.dp.client.Caller;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Maps the bearer token of a request to the user it stands for, with their role: a token file
 * ({@link TokenFile}) or JupyterHub's API tokens ({@link HubAuthenticator}).
 *
 * <p>Implementations never log or echo a token, and answer an unknown token with an empty user, not a
 * failure: a failed future means the authenticator itself could not decide (the service then answers 503).
 */
public interface Authenticator {
  Future<Optional<Caller>> user(String bearerToken);
}
