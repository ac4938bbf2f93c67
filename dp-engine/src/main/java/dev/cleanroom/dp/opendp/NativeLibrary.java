package dev.cleanroom.dp.opendp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Loads {@code libdcr_opendp.so} (the JNI shim statically linked with OpenDP) from this jar.
 *
 * <p>The library is copied to a file named by its sha256, so concurrent JVMs share one copy and a
 * changed library never reuses a stale one; no manual install step exists on any Linux x86_64 machine.
 */
final class NativeLibrary {
  static final String RESOURCE = "/native/linux-x86_64/libdcr_opendp.so";

  private NativeLibrary() {}

  static synchronized void load() {
    String os = System.getProperty("os.name", "").toLowerCase();
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new UnsatisfiedLinkError(
          "The OpenDP binding is built for Linux x86_64 only; this JVM runs on " + os + "/" + arch);
    }
    System.load(extract().toString());
  }

  private static Path extract() {
    try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new UnsatisfiedLinkError(
            "Tried to load " + RESOURCE + " from the dp-engine jar but it is missing; rebuild with ./dcr build");
      }
      byte[] bytes = in.readAllBytes();
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "dcr-native");
      Files.createDirectories(dir);
      Path file = dir.resolve("libdcr_opendp-" + sha256(bytes).substring(0, 16) + ".so");
      if (!Files.exists(file)) {
        Path partial = Files.createTempFile(dir, "libdcr_opendp", ".partial");
        Files.write(partial, bytes);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Tried to unpack the OpenDP native library but failed because: " + e, e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
