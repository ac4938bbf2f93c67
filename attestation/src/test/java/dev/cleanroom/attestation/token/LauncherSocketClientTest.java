package dev.cleanroom.attestation.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.AttestationException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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

  /** Answers one connection with {@code response}, whatever it asks, then closes it. */
  private static Thread answerOnce(Path socket, String response) throws Exception {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread thread = Thread.ofPlatform().start(() -> {
      try (server; SocketChannel connection = server.accept()) {
        Http1.readRequestBody(Channels.newInputStream(connection), Http1.readHead(Channels.newInputStream(connection)));
        connection.write(ByteBuffer.wrap(response.getBytes(StandardCharsets.ISO_8859_1)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    return thread;
  }

  @Test
  void token_bodyEndedByClosingTheConnection_isRead(@TempDir Path dir) throws Exception {
    String token = LauncherSocketClientGoServerTest.tokenOf(4096);
    Thread server = answerOnce(dir.resolve("teeserver.sock"), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + token);
    assertEquals(token, new LauncherSocketClient(dir.resolve("teeserver.sock")).token(REQUEST));
    server.join();
  }

  @Test
  void token_afterAnInterimAnswer_andWithChunkExtensionsAndTrailers_isRead(@TempDir Path dir) throws Exception {
    Thread server = answerOnce(dir.resolve("teeserver.sock"), "HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;note=x\r\nab.cd\r\n2\r\n.e\r\n0\r\nX-Trailer: 1\r\n\r\n");
    assertEquals("ab.cd.e", new LauncherSocketClient(dir.resolve("teeserver.sock")).token(REQUEST));
    server.join();
  }

  @Test
  void token_chunkedBodyCutShort_isUnavailable(@TempDir Path dir) throws Exception {
    Thread server = answerOnce(dir.resolve("teeserver.sock"), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "800\r\nab.cd.ef");
    AttestationException e = assertThrows(AttestationException.class,
        () -> new LauncherSocketClient(dir.resolve("teeserver.sock")).token(REQUEST));
    assertEquals("token_unavailable", e.code());
    server.join();
  }

  private static AttestationException refused(Path dir, String response) throws Exception {
    Thread server = answerOnce(dir.resolve("teeserver.sock"), response);
    AttestationException e = assertThrows(AttestationException.class,
        () -> new LauncherSocketClient(dir.resolve("teeserver.sock")).token(REQUEST));
    server.join();
    return e;
  }

  /** Security review after #14, point 4: a chunk size is hex digits; Integer.parseInt also took a sign. */
  @Test
  void token_aChunkSizeWithASign_isRefused(@TempDir Path dir) throws Exception {
    AttestationException e = refused(dir, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nab.cd\r\n-0\r\n\r\n");
    assertTrue(e.getMessage().contains("bad chunk size"), e.getMessage());
  }

  @Test
  void token_trailersOverTheRoomOfAHead_areRefused(@TempDir Path dir) throws Exception {
    String trailer = "X-Pad: " + "p".repeat(5000) + "\r\n";
    AttestationException e = refused(dir, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab.cd\r\n0\r\n"
        + trailer + trailer + "\r\n");
    assertTrue(e.getMessage().contains("trailers longer than 8 KiB"), e.getMessage());
  }

  @Test
  void token_moreThanFiveInterimAnswers_areRefused(@TempDir Path dir) throws Exception {
    AttestationException e = refused(dir, "HTTP/1.1 100 Continue\r\n\r\n".repeat(Http1.MAX_INTERIM_ANSWERS + 1)
        + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab.cd");
    assertTrue(e.getMessage().contains("interim"), e.getMessage());
  }

  @Test
  void token_aSocketThatNeverAnswers_isUnavailableAtTheDeadline(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("teeserver.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      long start = System.nanoTime();
      AttestationException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> assertThrows(
          AttestationException.class, () -> new LauncherSocketClient(socket, java.time.Duration.ofMillis(300)).token(REQUEST)));
      assertEquals("token_unavailable", e.code());
      assertTrue(e.getMessage().contains("did not answer within"), e.getMessage());
      assertTrue(System.nanoTime() - start >= 300_000_000L, "not before the deadline");
    }
  }
}
