package dev.cleanroom.attestation.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
  // sha256("abc"), FIPS 180-2 appendix B.1.
  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void of_bytes_isTheStandardDigest() {
    assertEquals(ABC, Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)).hex());
  }

  @Test
  void of_file_equalsTheDigestOfItsBytes(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "abc");
    assertEquals(ABC, Sha256.of(file).hex());
  }

  @Test
  void constructor_upperCaseHex_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Sha256(ABC.toUpperCase()));
  }

  @Test
  void ociDigest_roundTrips() {
    Sha256 digest = new Sha256(ABC);
    assertEquals("sha256:" + ABC, digest.ociDigest());
    assertEquals(digest, Sha256.ofOciDigest(digest.ociDigest()));
  }

  @Test
  void ofOciDigest_otherAlgorithm_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> Sha256.ofOciDigest("sha512:" + ABC));
  }
}
