package dev.cleanroom.tee.launcher;

import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SortedMap;

/**
 * Where a job's inputs come from: a folder mounted read-only (the simulator, a provider's own machine),
 * or, later, objects fetched from Cloud Storage through signed URLs into the container's memory.
 *
 * <p>Invariant: the folder {@link #open} returns holds exactly the expected inputs with exactly the
 * expected content, read-only for the notebook; otherwise it throws and the notebook does not run.
 */
interface InputSource {
  /** The inputs as the launcher found them: name → commitment under its dataset's key (what the manifest records). */
  record Checked(Path dir, SortedMap<String, Sha256> seen) {}

  /** Thrown when the inputs are not the job's; {@link #seen} is what was found, for the manifest. */
  final class InputMismatchException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient SortedMap<String, Sha256> seen;

    InputMismatchException(String message, SortedMap<String, Sha256> seen) {
      super(message);
      this.seen = seen;
    }

    SortedMap<String, Sha256> seen() {
      return seen;
    }
  }

  /** Makes the inputs available and checks every one against {@code expected}. */
  Checked open(SortedMap<String, Sha256> expected) throws IOException, InputMismatchException;
}
