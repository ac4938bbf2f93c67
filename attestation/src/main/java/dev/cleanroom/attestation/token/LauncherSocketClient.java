package dev.cleanroom.attestation.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The workload's side of the Confidential Space launcher socket: {@code POST /v1/token} over HTTP on a
 * Unix domain socket. The same client talks to Google's launcher and to the simulator's {@link TeeServer}.
 */
public final class LauncherSocketClient implements TokenSource {
  /** Where the launcher's socket appears inside the container. */
  public static final Path CONTAINER_SOCKET = Path.of("/run/container_launcher/teeserver.sock");

  /**
   * How long one exchange may take from connecting to the last byte. Google's launcher answers in seconds; without a
   * bound, a socket that accepts and never answers (or trickles) would hold the run without a record forever.
   */
  static final Duration DEADLINE = Duration.ofSeconds(60);

  private final Path socket;
  private final Duration deadline;

  public LauncherSocketClient(Path socket) {
    this(socket, DEADLINE);
  }

  LauncherSocketClient(Path socket, Duration deadline) {
    this.socket = socket;
    this.deadline = deadline;
  }

  /** A client of the socket at its place in a Confidential Space container. */
  public static LauncherSocketClient inContainer() {
    return new LauncherSocketClient(CONTAINER_SOCKET);
  }

  @Override
  public String token(TokenRequest request) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("audience", request.audience());
    body.putArray("nonces").addAll(request.nonces().stream().map(JsonNodeFactory.instance::textNode).toList());
    body.put("token_type", request.tokenType());
    try {
      return exchange("POST", CanonicalJson.mapper().writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** The launcher's default token ({@code GET /v1/token}, audience {@code https://sts.googleapis.com}). */
  public String defaultToken() {
    return exchange("GET", new byte[0]);
  }

  private String exchange(String method, byte[] body) {
    AtomicBoolean late = new AtomicBoolean();
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      // A blocking channel has no read timeout: closing it from a timer ends whatever read is waiting.
      Thread timer = Thread.ofVirtual().start(() -> {
        try {
          Thread.sleep(deadline);
          late.set(true);
          channel.close();
        } catch (InterruptedException | IOException e) {
          // the exchange ended in time (interrupted), or the channel is closed already
        }
      });
      try {
        return exchange(channel, method, body);
      } finally {
        timer.interrupt();
      }
    } catch (IOException e) {
      throw new AttestationException("token_unavailable", late.get()
          ? "the launcher socket " + socket + " did not answer within " + deadline.toSeconds() + " s"
          : "could not talk to the launcher socket " + socket + " (" + e.getMessage() + "); is this running in a TEE or the simulator?");
    }
  }

  private String exchange(SocketChannel channel, String method, byte[] body) throws IOException {
    channel.connect(UnixDomainSocketAddress.of(socket));
    OutputStream out = Channels.newOutputStream(channel);
    InputStream in = Channels.newInputStream(channel);
    Http1.writeRequest(out, method, "/v1/token", "application/json", body);
    Http1.Head head = Http1.readResponseHead(in);
    String text = new String(Http1.readResponseBody(in, head), StandardCharsets.UTF_8).strip();
    int status = status(head.startLine());
    if (status == 200) {
      if (!text.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+")) {
        throw new AttestationException("token_unavailable", "the launcher socket answered 200 but no JWT");
      }
      return text;
    }
    String reason = text.length() > 200 ? text.substring(0, 200) + "…" : text;
    throw new AttestationException(status >= 400 && status < 500 ? "token_refused" : "token_unavailable",
        "the launcher socket answered " + status + ": " + reason);
  }

  private static int status(String statusLine) throws IOException {
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x response");
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status");
    }
  }
}
