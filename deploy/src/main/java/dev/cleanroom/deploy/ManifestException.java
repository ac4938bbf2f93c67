package dev.cleanroom.deploy;

/** A rendered manifest that the Kubernetes API would refuse; the message names the document, the field and why. */
public final class ManifestException extends Exception {
  private static final long serialVersionUID = 1L;

  ManifestException(String message) {
    super(message);
  }
}
