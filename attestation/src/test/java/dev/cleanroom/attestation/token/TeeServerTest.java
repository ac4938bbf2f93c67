package dev.cleanroom.attestation.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.claims.ConfidentialSpace;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeeServerTest {
  private static final String NONCE = "a".repeat(64);
  // A token source that records what it was asked and answers a fixed, well-formed token.
  private final List<TokenRequest> asked = new ArrayList<>();
  private TeeServer server;
  private Path socket;

  @BeforeEach
  void start(@TempDir Path dir) throws IOException {
    socket = dir.resolve("container_launcher/teeserver.sock");
    server = TeeServer.start(socket, request -> {
      asked.add(request);
      return "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln";
    });
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  /** Sends raw bytes and returns the whole response, as curl --unix-socket would see it. */
  private String raw(String request) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
      return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private String post(String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return raw("POST /v1/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n" + json);
  }

  @Test
  void post_validRequest_answersTheBareJwt() throws IOException {
    String token = new LauncherSocketClient(socket).token(TokenRequest.oidc("https://bridge.example", NONCE));
    assertEquals("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln", token);
    assertEquals(List.of(TokenRequest.oidc("https://bridge.example", NONCE)), asked);
  }

  @Test
  void get_answersTheDefaultTokenForSts() {
    new LauncherSocketClient(socket).defaultToken();
    assertEquals(ConfidentialSpace.STS_AUDIENCE, asked.get(0).audience());
    assertTrue(asked.get(0).nonces().isEmpty());
  }

  @Test
  void post_unknownMember_is400LikeGoogle() throws IOException {
    String response = post("{\"audience\":\"a\",\"nonces\":[],\"token_type\":\"OIDC\",\"extra\":1}");
    assertTrue(response.startsWith("HTTP/1.1 400 "), response);
    assertTrue(response.endsWith("json: unknown field \"extra\""), response);
    assertTrue(asked.isEmpty());
  }

  @Test
  void post_missingAudience_is400() throws IOException {
    String response = post("{\"nonces\":[],\"token_type\":\"OIDC\"}");
    assertTrue(response.startsWith("HTTP/1.1 400 "), response);
    assertTrue(response.contains("use GET for the default identity token"), response);
  }

  @Test
  void post_missingTokenType_is400() throws IOException {
    String response = post("{\"audience\":\"a\",\"nonces\":[]}");
    assertTrue(response.endsWith("token_type is a required parameter"), response);
  }

  @Test
  void post_notJson_is400() throws IOException {
    assertTrue(post("audience=a").startsWith("HTTP/1.1 400 "));
  }

  @Test
  void otherPath_is404() throws IOException {
    assertTrue(raw("GET /v1/evidence HTTP/1.1\r\nHost: localhost\r\n\r\n").startsWith("HTTP/1.1 404 "));
  }

  @Test
  void socket_isWorldWritableLikeGoogles() throws IOException {
    assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
  }

  @Test
  void close_removesTheSocketFile() throws IOException {
    server.close();
    assertFalse(Files.exists(socket));
  }

  @Test
  void start_overStaleSocketFile_replacesIt() throws IOException {
    server.close();
    Files.writeString(socket, "left by a crashed run");
    server = TeeServer.start(socket, request -> "a.b.c");
    assertEquals("a.b.c", new LauncherSocketClient(socket).token(TokenRequest.oidc("aud", NONCE)));
  }

  /** The simulator frames a long token as Go's net/http does, so every simulated run meets a chunked answer. */
  @Test
  void post_tokenLongerThan2048Bytes_isChunkedWithNoLength() throws IOException {
    String token = LauncherSocketClientGoServerTest.tokenOf(5400);
    server.close();
    server = TeeServer.start(socket, request -> token);
    String response = post("{\"audience\":\"a\",\"nonces\":[],\"token_type\":\"OIDC\"}");
    assertTrue(response.startsWith("HTTP/1.1 200 "), response);
    assertTrue(response.contains("\r\nTransfer-Encoding: chunked\r\n"), response);
    assertFalse(response.toLowerCase(java.util.Locale.ROOT).contains("content-length"), response);
    assertEquals(token, new LauncherSocketClient(socket).token(TokenRequest.oidc("a", NONCE)));
  }

  @Test
  void get_fromHttp10Client_longToken_isEndedByClosingTheConnection() throws IOException {
    String token = LauncherSocketClientGoServerTest.tokenOf(4096);
    server.close();
    server = TeeServer.start(socket, request -> token);
    String response = raw("GET /v1/token HTTP/1.0\r\nHost: localhost\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.0 200 "), response);
    assertFalse(response.toLowerCase(java.util.Locale.ROOT).contains("content-length"), response);
    assertFalse(response.contains("chunked"), response);
    assertTrue(response.endsWith("\r\n\r\n" + token), response);
  }
}
