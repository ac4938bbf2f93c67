package dev.cleanroom.attestation.token;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 for the launcher socket, one request per connection. The JDK's HTTP client and server cannot use a
 * Unix domain socket, hence this. A client must read every framing a server may legally send (RFC 9112 §6.3):
 * Google's launcher answers with Go's net/http, which sets no {@code Content-Length} on the token and so sends
 * a token of more than 2,048 bytes {@code Transfer-Encoding: chunked}, and a shorter one with a length. The
 * simulator's side frames its answers the same way, so that every simulated run exercises both.
 */
final class Http1 {
  static final int MAX_HEAD_BYTES = 8 * 1024;
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** Interim (1xx) answers a client skips before the final one; a server sends one or two (100, 103), never many. */
  static final int MAX_INTERIM_ANSWERS = 5;
  /** Go's net/http buffers this much of a body before it gives up on a length and chunks the rest. */
  static final int GO_CHUNKING_THRESHOLD = 2048;

  /** A request or status line and its headers (names lower-cased). */
  record Head(String startLine, Map<String, String> headers) {
    int contentLength() throws IOException {
      String v = headers.get("content-length");
      if (v == null) {
        return -1;
      }
      try {
        int n = Integer.parseInt(v.strip());
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length");
      }
    }

    /** Whether the body is chunked; any other transfer coding is refused, as nothing here decodes it. */
    boolean chunked() throws IOException {
      String v = headers.get("transfer-encoding");
      if (v == null) {
        return false;
      }
      if (!v.strip().equalsIgnoreCase("chunked")) {
        throw new IOException("unsupported Transfer-Encoding " + v.strip());
      }
      return true;
    }

    boolean http11() {
      return startLine.endsWith(" HTTP/1.1") || startLine.startsWith("HTTP/1.1 ");
    }
  }

  private Http1() {}

  static Head readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the end of the HTTP head");
      }
      head.write(b);
      if (head.size() > MAX_HEAD_BYTES) {
        throw new IOException("HTTP head longer than 8 KiB");
      }
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed HTTP header line");
      }
      headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
    }
    return new Head(lines[0], headers);
  }

  /**
   * Reads a response's head, skipping interim (1xx) answers, which a server may send before the final one.
   */
  static Head readResponseHead(InputStream in) throws IOException {
    Head head = readHead(in);
    for (int interim = 0; head.startLine().matches("HTTP/1\\.\\d 1\\d\\d( .*)?"); interim++) {
      if (interim == MAX_INTERIM_ANSWERS) {
        throw new IOException("more than " + MAX_INTERIM_ANSWERS + " interim (1xx) HTTP answers");
      }
      head = readHead(in);
    }
    return head;
  }

  /** A request's body: chunked, of its {@code Content-Length}, or none (a request has no other framing). */
  static byte[] readRequestBody(InputStream in, Head head) throws IOException {
    if (head.chunked()) {
      return readChunked(in);
    }
    return readLength(in, Math.max(head.contentLength(), 0));
  }

  /**
   * A response's body: chunked (which wins over a {@code Content-Length}, RFC 9112 §6.3), of its
   * {@code Content-Length}, or everything up to the end of the stream (we always ask for
   * {@code Connection: close}).
   */
  static byte[] readResponseBody(InputStream in, Head head) throws IOException {
    if (head.chunked()) {
      return readChunked(in);
    }
    int length = head.contentLength();
    if (length >= 0) {
      return readLength(in, length);
    }
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new IOException("HTTP body larger than 64 KiB");
    }
    return body;
  }

  private static byte[] readLength(InputStream in, int length) throws IOException {
    if (length > MAX_BODY_BYTES) {
      throw new IOException("HTTP body larger than 64 KiB");
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new IOException("connection closed inside the HTTP body");
    }
    return body;
  }

  /** Chunks (size in hex, optional {@code ;extensions}, CRLF, data, CRLF) up to the last, then trailers. */
  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
      // Hex digits only: Integer.parseInt would also take a sign ("+3", "-0"), which a proxy may read otherwise.
      if (!hex.matches("[0-9A-Fa-f]{1,7}")) {
        throw new IOException("bad chunk size");
      }
      int size = Integer.parseInt(hex, 16);
      if (body.size() + (long) size > MAX_BODY_BYTES) {
        throw new IOException("HTTP body larger than 64 KiB");
      }
      if (size == 0) {
        // Trailer fields: nothing here uses them, and together they get the room of a head.
        int trailerBytes = 0;
        for (String trailer = readLine(in); !trailer.isEmpty(); trailer = readLine(in)) {
          trailerBytes += trailer.length() + 2;
          if (trailerBytes > MAX_HEAD_BYTES) {
            throw new IOException("HTTP trailers longer than 8 KiB");
          }
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length != size) {
        throw new IOException("connection closed inside an HTTP chunk");
      }
      body.write(chunk);
      if (!readLine(in).isEmpty()) {
        throw new IOException("HTTP chunk longer than its size");
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed inside a chunked HTTP body");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
      if (line.size() > MAX_HEAD_BYTES) {
        throw new IOException("HTTP chunk line longer than 8 KiB");
      }
    }
  }

  static void writeRequest(OutputStream out, String method, String path, String contentType, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder()
        .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: localhost\r\n")
        .append("Connection: close\r\n");
    if (body.length > 0 || method.equals("POST")) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /**
   * Answers as Go's net/http does when a handler writes a body without setting its length: a body of up to
   * {@link #GO_CHUNKING_THRESHOLD} bytes with a {@code Content-Length}; a longer one chunked to an HTTP/1.1
   * client and ended by closing the connection to an HTTP/1.0 one.
   */
  static void writeResponse(OutputStream out, boolean http11Client, int status, String reason, String contentType,
      byte[] body) throws IOException {
    boolean sized = body.length <= GO_CHUNKING_THRESHOLD;
    boolean chunked = !sized && http11Client;
    StringBuilder head = new StringBuilder()
        .append(http11Client ? "HTTP/1.1 " : "HTTP/1.0 ").append(status).append(' ').append(reason).append("\r\n")
        .append("Content-Type: ").append(contentType).append("\r\n");
    if (sized) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    if (chunked) {
      head.append("Transfer-Encoding: chunked\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!chunked) {
      out.write(body);
    } else {
      // Several chunks, as a server that flushes its buffer as it goes writes them.
      for (int from = 0; from < body.length; from += GO_CHUNKING_THRESHOLD) {
        int n = Math.min(GO_CHUNKING_THRESHOLD, body.length - from);
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, from, n);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.flush();
  }
}
