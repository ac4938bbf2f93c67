package dev.cleanroom.tee.image;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * How our images reach a registry ({@code host}, {@code host:port}, {@code [v6]:port}): plain HTTP only to one on
 * loopback, where nothing crosses a network; HTTPS to every other. A registry elsewhere that answers a TLS handshake
 * with plain HTTP is found out here at once: Jib would try the handshake again with back-off for about a minute
 * before it gave the same answer.
 */
public final class RegistryAccess {
  /** For the connection and again for the handshake; a registry answers in milliseconds. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
  private static final Pattern PORT = Pattern.compile(":(\\d+)$");

  private RegistryAccess() {}

  /** Whether {@code registry} is on this machine, so that plain HTTP to it is allowed. */
  public static boolean isLoopback(String registry) {
    try {
      return InetAddress.getByName(host(registry)).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Whether {@code registry} answers a TLS handshake with something that is not TLS (a plain HTTP registry). False
   * when it speaks TLS, whatever its certificate, when it cannot be reached, and when it is reached through a proxy
   * (the probe goes direct): Jib then says what is wrong.
   */
  public static boolean speaksOnlyPlainHttp(String registry) {
    boolean direct;
    try {
      direct = ProxySelector.getDefault().select(URI.create("https://" + registry + "/v2/")).stream()
          .allMatch(proxy -> proxy.type() == Proxy.Type.DIRECT);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return direct && speaksOnlyPlainHttp(registry, PROBE_TIMEOUT);
  }

  /** Why a push to a registry off loopback that speaks only plain HTTP is refused, and what to do. */
  public static String plainHttpRefused(String registry) {
    return registry + " does not speak HTTPS, and plain HTTP is allowed only for a registry on loopback (127.0.0.1,"
        + " ::1, localhost). Serve the registry over HTTPS, or push through a loopback address.";
  }

  static boolean speaksOnlyPlainHttp(String registry, Duration timeout) {
    int port = port(registry);
    try (SSLSocket socket = (SSLSocket) SSLSocketFactory.getDefault().createSocket()) {
      socket.connect(new InetSocketAddress(host(registry), port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.startHandshake();
      return false;
    } catch (SSLHandshakeException e) {
      return false; // TLS, with a certificate or protocol Jib will judge and explain
    } catch (SSLException e) {
      return true; // "Unsupported or unrecognized SSL message": the answer was not TLS at all
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String host(String registry) {
    String host = registry.replaceFirst(":\\d+$", "");
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int port(String registry) {
    Matcher port = PORT.matcher(registry);
    return port.find() ? Integer.parseInt(port.group(1)) : 443;
  }
}
