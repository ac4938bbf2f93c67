package dev.cleanroom.tee.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
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
    // What a plain HTTP server (Go's, the registry's) answers to a TLS ClientHello it cannot parse as a request.
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread server = Thread.ofVirtual().start(() -> {
        try (Socket client = plain.accept()) {
          client.getInputStream().read(new byte[512]);
          client.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n400 Bad Request".getBytes());
        } catch (Exception e) {
          // the test fails on the probe's answer
        }
      });
      long start = System.nanoTime();
      assertTrue(RegistryAccess.speaksOnlyPlainHttp("127.0.0.1:" + plain.getLocalPort(), Duration.ofSeconds(10)));
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "found out without waiting for a timeout");
      server.join(Duration.ofSeconds(10));
    }
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
