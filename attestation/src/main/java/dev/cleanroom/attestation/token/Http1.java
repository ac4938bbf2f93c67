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
 * Just enough HTTP/1.1 for the launcher socket, whose client and server are both ours or Google's: one
 * request per connection, bodies framed by {@code Content-Length} (or, in responses, by the end of the
 * stream). The JDK's HTTP client and server cannot use a Unix domain socket, hence this.
 */
final class Http1 {
  static final int MAX_HEAD_BYTES = 8 * 1024;
  static final int MAX_BODY_BYTES = 64 * 1024;

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

  /** Reads a body of {@code length} bytes, or up to the end of the stream when {@code length < 0}. */
  static byte[] readBody(InputStream in, int length) throws IOException {
    if (length > MAX_BODY_BYTES) {
      throw new IOException("HTTP body larger than 64 KiB");
    }
    if (length >= 0) {
      byte[] body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("connection closed inside the HTTP body");
      }
      return body;
    }
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new IOException("HTTP body larger than 64 KiB");
    }
    return body;
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

  static void writeResponse(OutputStream out, int status, String reason, String contentType, byte[] body) throws IOException {
    String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
        + "Content-Type: " + contentType + "\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + "Connection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }
}
