package dev.cleanroom.dp.provision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A dataset's input commitments: HMAC-SHA256 of each input file under the dataset's secret commitment key. The
 * provider publishes them (the deployment's trust file); the launcher inside the TEE, which gets the key with the
 * inputs, computes them of what it read and the manifest records them; an auditor compares the two.
 *
 * <p>Why not the bare sha256 of the rows: anyone who knows all rows but one could hash each guess of the last and
 * compare. Without the key a commitment tells nothing about the data, yet it still binds a report to exactly the
 * bytes the provider committed to.
 *
 * <p>Invariant: the key never leaves the provider's views folder ({@value #KEY_FILE}, owner-only) except as a job
 * input; a commitment is a function of the key and the file's bytes only.
 */
public final class InputCommitment {
  /** The key's file, in a dataset's provisioned views folder and, in the TEE, in the dataset's input folder. */
  public static final String KEY_FILE = "commitment.key";
  private static final int KEY_BYTES = 32;
  private static final String HMAC = "HmacSHA256";

  private InputCommitment() {}

  /** Reads the key in {@code dir}, making a new random one (owner-only) when there is none. */
  public static byte[] loadOrCreateKey(Path dir) throws IOException {
    Path file = dir.resolve(KEY_FILE);
    if (!Files.exists(file)) {
      byte[] key = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(key);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, HexFormat.of().formatHex(key) + "\n");
      } catch (FileAlreadyExistsException e) {
        // Another provisioning run made it first; its key is the dataset's.
      }
    }
    return readKey(file);
  }

  /** Reads a key file: 64 hex digits. */
  public static byte[] readKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (!text.matches("[0-9a-f]{64}")) {
      throw new IOException(file + " is not a commitment key (64 lower-case hex digits); provision the dataset again"
          + " to make one, then publish its new commitments");
    }
    return HexFormat.of().parseHex(text);
  }

  /** The commitment of a file's bytes under {@code key}, as 64 hex digits. */
  public static String of(byte[] key, Path file) throws IOException {
    Mac mac = mac(key);
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        mac.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(mac.doFinal());
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java platform has HmacSHA256", e);
    }
  }
}
