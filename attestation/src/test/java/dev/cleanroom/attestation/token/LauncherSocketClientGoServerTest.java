package dev.cleanroom.attestation.token;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's client against Go's net/http, which is what Google's launcher serves the token with: the
 * token is written with no Content-Length, so Go frames one longer than 2,048 bytes as chunked. A real
 * Confidential Space token is 2.3 KB or more (about 5.4 KB with this project's {@code tee-env-*} values).
 */
class LauncherSocketClientGoServerTest {
  @TempDir static Path dir;
  private static GoTokenServer server;

  @BeforeAll
  static void start() throws Exception {
    server = GoTokenServer.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A JWT-shaped token of exactly {@code bytes} bytes. */
  static String tokenOf(int bytes) {
    String header = "eyJhbGciOiJSUzI1NiJ9.";
    String signature = ".c2lnbmF0dXJl";
    return header + "e".repeat(bytes - header.length() - signature.length()) + signature;
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1024, 2048, 2049, 4096, 16384})
  void token_fromGoServer_isReadWhateverItsFraming(int bytes) throws Exception {
    String token = tokenOf(bytes);
    server.serve(token);
    assertEquals(token, new LauncherSocketClient(server.socket).token(TokenRequest.oidc("aud", "a".repeat(64))));
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1024, 4096, 16384})
  void defaultToken_fromGoServer_isReadWhateverItsFraming(int bytes) throws Exception {
    String token = tokenOf(bytes);
    server.serve(token);
    assertEquals(token, new LauncherSocketClient(server.socket).defaultToken());
  }
}
