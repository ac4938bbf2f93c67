package dev.cleanroom.attestation.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.AttestationException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherSocketClientTest {
  private static final TokenRequest REQUEST = TokenRequest.oidc("aud", "a".repeat(64));

  @Test
  void token_noSocket_isUnavailableAndSaysWhere(@TempDir Path dir) {
    Path socket = dir.resolve("teeserver.sock");
    AttestationException e = assertThrows(AttestationException.class, () -> new LauncherSocketClient(socket).token(REQUEST));
    assertEquals("token_unavailable", e.code());
    assertTrue(e.getMessage().contains(socket.toString()), e.getMessage());
  }

  @Test
  void token_sourceRefusal_isTokenRefused(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("teeserver.sock");
    try (TeeServer server = TeeServer.start(socket, r -> {
      throw new AttestationException("token_refused", "nonce rejected");
    })) {
      AttestationException e = assertThrows(AttestationException.class, () -> new LauncherSocketClient(socket).token(REQUEST));
      assertEquals("token_refused", e.code());
      assertTrue(e.getMessage().endsWith("400: nonce rejected"), e.getMessage());
    }
  }

  @Test
  void token_sourceFailure_isTokenUnavailable(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("teeserver.sock");
    try (TeeServer server = TeeServer.start(socket, r -> {
      throw new AttestationException("token_unavailable", "verifier down");
    })) {
      AttestationException e = assertThrows(AttestationException.class, () -> new LauncherSocketClient(socket).token(REQUEST));
      assertEquals("token_unavailable", e.code());
    }
  }

  @Test
  void token_answerNotAJwt_isRefusedAsMalformed(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("teeserver.sock");
    try (TeeServer server = TeeServer.start(socket, r -> "<html>hello</html>")) {
      AttestationException e = assertThrows(AttestationException.class, () -> new LauncherSocketClient(socket).token(REQUEST));
      assertEquals("token_unavailable", e.code());
    }
  }
}
