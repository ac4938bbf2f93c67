package dev.cleanroom.bridge.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A random id made once for a deployment's folder and read after, so that a simulated deployment keeps its name,
 * and so its audience and trust file, across restarts, and no two deployments share one.
 */
public final class DeploymentId {
  private DeploymentId() {}

  public static String loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] id = new byte[8];
      new SecureRandom().nextBytes(id);
      try {
        Files.writeString(file, HexFormat.of().formatHex(id) + "\n", StandardCharsets.US_ASCII,
            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        // Made at the same moment by another start; that one is the deployment's.
      }
    }
    String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (!id.matches("[0-9a-f]{16}")) {
      throw new IOException(file + " is not a deployment id (16 hex digits); delete it to make a new one, then publish"
          + " the deployment's new trust file");
    }
    return id;
  }
}
