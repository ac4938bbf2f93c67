package dev.cleanroom.tee.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain HTTP only to this machine's loopback; a registry elsewhere that speaks only plain HTTP is found out at once. */
class RegistryAccessTest {
  private static final Duration SHORT = Duration.ofMillis(500);

  @TempDir Path dir;

  @Test
  void isLoopback_onlyForThisMachinesLoopback() {
    assertTrue(RegistryAccess.isLoopback("127.0.0.1:5000"));
    assertTrue(RegistryAccess.isLoopback("localhost:5000"));
    assertTrue(RegistryAccess.isLoopback("localhost"));
    assertTrue(RegistryAccess.isLoopback("[::1]:5000"));
    assertFalse(RegistryAccess.isLoopback("10.0.0.1:5000"));
    assertFalse(RegistryAccess.isLoopback("no-such-host.invalid:5000"));
  }

  @Test
  void aRegistryAnsweringTlsWithPlainHttp_speaksOnlyPlainHttp() throws Exception {
    try (ServerSocket plain = plainHttpServer()) {
      long start = System.nanoTime();
      assertTrue(RegistryAccess.speaksOnlyPlainHttp("127.0.0.1:" + plain.getLocalPort(), Duration.ofSeconds(10)));
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(9).toNanos(), "found out without waiting for a timeout");
    }
  }

  @Test
  void aRegistryReachedThroughAProxy_isLeftToJib_becauseTheProbeGoesDirect() throws Exception {
    try (ServerSocket plain = plainHttpServer()) {
      ProxySelector before = ProxySelector.getDefault();
      ProxySelector.setDefault(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 3128)));
      try {
        assertFalse(RegistryAccess.speaksOnlyPlainHttp("127.0.0.1:" + plain.getLocalPort()));
      } finally {
        ProxySelector.setDefault(before);
      }
      assertTrue(RegistryAccess.speaksOnlyPlainHttp("127.0.0.1:" + plain.getLocalPort()), "found out when direct");
    }
  }

  /** Answers its connections as a plain HTTP server (Go's, the registry's) answers a TLS ClientHello. */
  private static ServerSocket plainHttpServer() throws Exception {
    ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!plain.isClosed()) {
        try (Socket client = plain.accept()) {
          client.getInputStream().read(new byte[512]);
          client.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n400 Bad Request".getBytes());
        } catch (Exception e) {
          // closed by the test, or a probe that gave up
        }
      }
    });
    return plain;
  }

  @Test
  void aRegistrySpeakingTls_withACertificateNobodyTrusts_isLeftToJib() throws Exception {
    Path keystore = dir.resolve("registry.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
        "-alias", "registry", "-keyalg", "EC", "-dname", "CN=registry", "-validity", "1").inheritIO().start();
    assertEquals(0, keytool.waitFor());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(keystore)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    managers.init(keys, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(managers.getKeyManagers(), null, null);
    try (SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread accept = Thread.ofVirtual().start(() -> {
        try (Socket client = server.accept()) {
          client.getInputStream().read(); // runs the server's side of the handshake
        } catch (Exception expected) {
          // the client gives up on the certificate
        }
      });
      assertFalse(RegistryAccess.speaksOnlyPlainHttp("127.0.0.1:" + server.getLocalPort(), Duration.ofSeconds(10)));
      accept.join(Duration.ofSeconds(10));
    }
  }

  @Test
  void aRegistryThatCannotBeReachedOrSaysNothing_isLeftToJib() throws Exception {
    int closedPort;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = closed.getLocalPort();
    }
    assertFalse(RegistryAccess.speaksOnlyPlainHttp("127.0.0.1:" + closedPort, SHORT));

    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertFalse(RegistryAccess.speaksOnlyPlainHttp("127.0.0.1:" + silent.getLocalPort(), SHORT));
    }
  }
}
