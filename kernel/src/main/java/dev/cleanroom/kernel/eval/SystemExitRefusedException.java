package dev.cleanroom.kernel.eval;

/** What a cell that called {@code System.exit} ends with: the kernel keeps running. */
public final class SystemExitRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SystemExitRefusedException(int status) {
    super("System.exit(" + status + ") was called in a cell; the kernel keeps running and your variables are kept."
        + " To start afresh use Kernel > Restart Kernel.");
  }
}
