package dev.cleanroom.dp.provision;

/** Provisioning refused to run as asked; the message says why and what to do. Nothing was spent. */
public final class ProvisioningException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public ProvisioningException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
