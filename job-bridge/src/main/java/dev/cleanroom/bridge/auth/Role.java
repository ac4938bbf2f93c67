package dev.cleanroom.bridge.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a user may do in the clean room. JupyterHub carries roles as groups ({@code scientists}, {@code
 * providers}, {@code auditors}); a user may hold several, and one with none may do nothing here.
 */
public enum Role {
  /** Submits notebooks, sees their own jobs, downloads their released outputs. */
  SCIENTIST("scientists"),
  /** Reviews jobs reading their datasets, approves or rejects them, releases or withholds their outputs. */
  PROVIDER("providers"),
  /** Reads every job's attestation report and timeline and verifies reports; changes nothing. */
  AUDITOR("auditors");

  private final String hubGroup;

  Role(String hubGroup) {
    this.hubGroup = hubGroup;
  }

  /** The JupyterHub group that grants the role. */
  public String hubGroup() {
    return hubGroup;
  }

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role of a hub group ({@code scientists}) or role name ({@code scientist}). */
  public static Optional<Role> named(String name) {
    for (Role role : values()) {
      if (role.hubGroup.equals(name) || role.code().equals(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
