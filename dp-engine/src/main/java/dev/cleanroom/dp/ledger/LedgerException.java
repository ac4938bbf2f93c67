package dev.cleanroom.dp.ledger;

/**
 * The ledger's database could not be used. Whether a charge was recorded is then unknown, so the
 * query must not be answered; retrying it with the same query id is safe because charges are idempotent.
 */
public final class LedgerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  LedgerException(String action, String reason, String remedy, Throwable cause) {
    super("Tried to " + action + " but failed because: " + stripPeriod(reason) + ". " + remedy, cause);
  }

  private static String stripPeriod(String reason) {
    String text = reason == null ? "an unknown database error" : reason.strip();
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  /** Stable across releases; the REST API and the CLI show it. */
  public String code() {
    return "ledger_unavailable";
  }
}
