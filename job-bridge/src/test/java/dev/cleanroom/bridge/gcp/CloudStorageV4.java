package dev.cleanroom.bridge.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Cloud Storage's check of a V4 signed request, written from Google's documentation ("Signed URLs", "Canonical
 * requests", "Signatures"), in front of an emulator that checks no signature at all (fake-gcs-server accepts any):
 * a request carrying {@code X-Goog-Signature} is refused with 403 unless its signature verifies, and otherwise
 * passed on unchanged. The rules: the canonical request is the verb, the path, the query without the signature
 * (names and values percent-encoded, sorted), every signed header as {@code name:value} sorted by name, the signed
 * header names, and {@code UNSIGNED-PAYLOAD}; the string to sign is {@code GOOG4-RSA-SHA256}, the request time, the
 * credential scope and the canonical request's hex SHA-256; the signature is RSA-SHA256 with the key of the service
 * account the credential names. A signed header the request does not carry changes the canonical request and so
 * fails; a request that carries {@code Content-Type}, {@code Content-MD5} or any {@code x-goog-*} header the URL did
 * not sign is refused.
 */
final class CloudStorageV4 implements AutoCloseable {
  /** Headers Cloud Storage counts in a signature whenever a request sends them. */
  private static final Set<String> MUST_BE_SIGNED = Set.of("content-type", "content-md5");

  /** A request that was checked, and why it was refused if it was. */
  record Checked(String method, String path, Optional<String> refusal) {}

  private final HttpServer server;
  private final Map<String, PublicKey> keys;
  private final Optional<URI> upstream;
  private final HttpClient client = HttpClient.newHttpClient();
  private final List<Checked> checked = new CopyOnWriteArrayList<>();

  private CloudStorageV4(Map<String, PublicKey> keys, Optional<URI> upstream) throws IOException {
    this.keys = keys;
    this.upstream = upstream;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Checks signed requests with the public keys of the signing service accounts (by email), then passes every
   * request to {@code upstream}; without one, answers a request that passed with an empty 200.
   */
  static CloudStorageV4 start(Map<String, PublicKey> keys, Optional<URI> upstream) throws IOException {
    return new CloudStorageV4(keys, upstream);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every signed request seen so far. */
  List<Checked> checked() {
    return List.copyOf(checked);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String rawQuery = exchange.getRequestURI().getRawQuery();
      if (rawQuery != null && rawQuery.contains("X-Goog-Signature=")) {
        Optional<String> refusal = refusal(exchange.getRequestMethod(), exchange.getRequestURI(), exchange.getRequestHeaders());
        checked.add(new Checked(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), refusal));
        if (refusal.isPresent()) {
          byte[] answer = ("<Error><Code>SignatureDoesNotMatch</Code><Message>" + refusal.get() + "</Message></Error>").getBytes(UTF_8);
          exchange.sendResponseHeaders(403, answer.length);
          exchange.getResponseBody().write(answer);
          return;
        }
      }
      if (upstream.isEmpty()) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      forward(exchange, body);
    }
  }

  private void forward(HttpExchange exchange, byte[] body) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(upstream.get().resolve(exchange.getRequestURI().getRawPath()
            + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery())))
        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding")
          .contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> request.header(name, v));
      }
    });
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    response.headers().map().forEach((name, values) -> {
      if (!Set.of("content-length", "transfer-encoding", "connection", ":status").contains(name.toLowerCase(Locale.ROOT))) {
        exchange.getResponseHeaders().put(name, values);
      }
    });
    boolean noBody = response.body().length == 0 || exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : response.body().length);
    if (!noBody) {
      exchange.getResponseBody().write(response.body());
    }
  }

  /** Why Cloud Storage would refuse this signed request, or empty if it would accept its signature. */
  Optional<String> refusal(String method, URI uri, Map<String, List<String>> requestHeaders) {
    Map<String, String> query = new TreeMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      query.put(URLDecoder.decode(kv[0], UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], UTF_8) : "");
    }
    if (!"GOOG4-RSA-SHA256".equals(query.get("X-Goog-Algorithm"))) {
      return Optional.of("not a V4 RSA signature");
    }
    Map<String, String> headers = new TreeMap<>();
    requestHeaders.forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
        values.stream().map(v -> v.strip().replaceAll("\\s+", " ")).collect(Collectors.joining(","))));
    List<String> signed = List.of(query.getOrDefault("X-Goog-SignedHeaders", "").split(";"));
    if (!signed.contains("host")) {
      return Optional.of("the host header is not signed");
    }
    for (String name : headers.keySet()) {
      if ((MUST_BE_SIGNED.contains(name) || name.startsWith("x-goog-")) && !signed.contains(name)) {
        return Optional.of("the request sends " + name + ", which the URL did not sign");
      }
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    for (String name : signed.stream().sorted().toList()) {
      canonicalHeaders.append(name).append(':').append(headers.getOrDefault(name, "")).append('\n');
    }
    String canonicalQuery = query.entrySet().stream().filter(e -> !e.getKey().equals("X-Goog-Signature"))
        .map(e -> percentEncode(e.getKey()) + "=" + percentEncode(e.getValue())).collect(Collectors.joining("&"));
    String canonicalRequest = String.join("\n", method, uri.getRawPath(), canonicalQuery, canonicalHeaders.toString(),
        String.join(";", signed), "UNSIGNED-PAYLOAD");
    String credential = query.getOrDefault("X-Goog-Credential", "");
    int slash = credential.indexOf('/');
    if (slash < 0 || !keys.containsKey(credential.substring(0, slash))) {
      return Optional.of("the credential names no known service account");
    }
    try {
      String stringToSign = String.join("\n", "GOOG4-RSA-SHA256", query.getOrDefault("X-Goog-Date", ""),
          credential.substring(slash + 1),
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonicalRequest.getBytes(UTF_8))));
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(keys.get(credential.substring(0, slash)));
      rsa.update(stringToSign.getBytes(UTF_8));
      return rsa.verify(HexFormat.of().parseHex(query.getOrDefault("X-Goog-Signature", "")))
          ? Optional.empty()
          : Optional.of("the signature does not match the canonical request");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Optional.of("the signature does not verify: " + e.getMessage());
    }
  }

  /** RFC 3986 percent-encoding of everything but the unreserved characters, as the canonical query asks. */
  private static String percentEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  static List<String> refusals(List<Checked> checked) {
    List<String> out = new ArrayList<>();
    checked.forEach(c -> c.refusal().ifPresent(r -> out.add(c.method() + " " + c.path() + ": " + r)));
    return out;
  }
}
