package dev.cleanroom.attestation.token;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The launcher's side of the socket, as Google's launcher serves it ({@code launcher/teeserver}):
 * {@code POST /v1/token} with {@code {"audience", "nonces", "token_type"}} answers the bare JWT;
 * {@code GET /v1/token} answers the default token. Requests are checked as Google checks them (unknown
 * members, missing audience or type, nonce limits: 400), and framed as Go's net/http frames them (a token of
 * more than 2,048 bytes chunked, see {@link Http1#writeResponse}). The simulator binds it where the container
 * sees {@code /run/container_launcher/teeserver.sock}; the tokens come from any {@link TokenSource}.
 */
public final class TeeServer implements AutoCloseable {
  private static final Set<String> MEMBERS = Set.of("audience", "nonces", "token_type", "aws_principal_tag_options");

  private final Path socket;
  private final ServerSocketChannel server;
  private final TokenSource tokens;
  private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;

  private TeeServer(Path socket, ServerSocketChannel server, TokenSource tokens) {
    this.socket = socket;
    this.server = server;
    this.tokens = tokens;
    this.acceptor = Thread.ofPlatform().daemon().name("tee-server " + socket.getFileName()).unstarted(this::acceptLoop);
  }

  /**
   * Binds the socket (replacing a stale socket file left by a crashed run) and starts serving. The socket
   * is made world-writable, as Google's is, so the workload's user can reach it whatever its uid.
   */
  public static TeeServer start(Path socket, TokenSource tokens) throws IOException {
    Files.createDirectories(socket.toAbsolutePath().getParent());
    if (Files.exists(socket) && !Files.isDirectory(socket)) {
      Files.delete(socket);
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
    TeeServer tee = new TeeServer(socket, server, tokens);
    tee.acceptor.start();
    return tee;
  }

  public Path socket() {
    return socket;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel connection = server.accept();
        connections.add(connection);
        Thread.ofVirtual().start(() -> serve(connection));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // A failed accept concerns one client; keep serving the others.
      }
    }
  }

  private void serve(SocketChannel connection) {
    try (connection) {
      InputStream in = Channels.newInputStream(connection);
      OutputStream out = Channels.newOutputStream(connection);
      Response response;
      boolean http11Client = true;
      try {
        Http1.Head head = Http1.readHead(in);
        http11Client = head.http11();
        byte[] body = Http1.readRequestBody(in, head);
        response = answer(head.startLine(), body);
      } catch (IOException e) {
        response = new Response(400, "Bad Request", "malformed request: " + e.getMessage());
      }
      Http1.writeResponse(out, http11Client, response.status, response.reason, "text/plain; charset=utf-8",
          response.body.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The client went away; nothing to answer.
    } finally {
      connections.remove(connection);
    }
  }

  private record Response(int status, String reason, String body) {}

  private Response answer(String requestLine, byte[] body) {
    String[] parts = requestLine.split(" ");
    if (parts.length != 3) {
      return new Response(400, "Bad Request", "malformed request line");
    }
    String path = parts[1].replaceFirst("^http://[^/]*", "");
    if (!path.equals("/v1/token")) {
      return new Response(404, "Not Found", "404 page not found");
    }
    try {
      return switch (parts[0]) {
        case "GET" -> ok(tokens.token(new TokenRequest(ConfidentialSpace.STS_AUDIENCE, List.of(), TokenRequest.OIDC)));
        case "POST" -> ok(tokens.token(parse(body)));
        default -> new Response(405, "Method Not Allowed", "use GET or POST");
      };
    } catch (IllegalArgumentException e) {
      return new Response(400, "Bad Request", e.getMessage());
    } catch (AttestationException e) {
      return e.code().equals("token_refused")
          ? new Response(400, "Bad Request", e.getMessage())
          : new Response(500, "Internal Server Error", e.getMessage());
    }
  }

  private static Response ok(String token) {
    return new Response(200, "OK", token);
  }

  private static TokenRequest parse(byte[] body) {
    JsonNode json = CanonicalJson.parse(body);
    if (!json.isObject()) {
      throw new IllegalArgumentException("the request body must be a JSON object");
    }
    for (String name : (Iterable<String>) json::fieldNames) {
      if (!MEMBERS.contains(name)) {
        throw new IllegalArgumentException("json: unknown field \"" + name + "\"");
      }
    }
    if (json.has("aws_principal_tag_options")) {
      throw new IllegalArgumentException("aws_principal_tag_options is not supported here");
    }
    List<String> nonces = new ArrayList<>();
    JsonNode n = json.path("nonces");
    if (!n.isMissingNode() && !n.isNull()) {
      if (!n.isArray()) {
        throw new IllegalArgumentException("nonces must be an array of strings");
      }
      for (JsonNode nonce : n) {
        if (!nonce.isTextual()) {
          throw new IllegalArgumentException("nonces must be an array of strings");
        }
        nonces.add(nonce.textValue());
      }
    }
    return new TokenRequest(text(json, "audience"), nonces, text(json, "token_type"));
  }

  private static String text(JsonNode json, String name) {
    JsonNode v = json.path(name);
    if (!v.isMissingNode() && !v.isNull() && !v.isTextual()) {
      throw new IllegalArgumentException(name + " must be a string");
    }
    return v.isTextual() ? v.textValue() : "";
  }

  /** Stops serving, closes open connections and removes the socket file. */
  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel c : connections) {
      c.close();
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(socket);
  }
}
