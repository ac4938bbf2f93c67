package dev.cleanroom.tee.image;

import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Write-once copies of generated files at {@code <dir>/<sha256>/<name>}. Jib's layer cache keys on a file's path
 * and modification time; a name made from the content means it can never serve a layer for other bytes. Used for
 * the notebook images' generated files here and the deployment images' (images/).
 */
public record Staging(Path dir) {
  public Path stage(byte[] bytes, String name) throws IOException {
    Path folder = dir.resolve(Sha256.of(bytes).hex());
    Path file = folder.resolve(name);
    if (Files.isRegularFile(file) && Sha256.of(file).equals(Sha256.of(bytes))) {
      return file;
    }
    Files.createDirectories(folder);
    Path temp = Files.createTempFile(folder, name, ".tmp");
    Files.write(temp, bytes);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return file;
  }
}
