package dev.cleanroom.tee.api;

/**
 * A user name and password a registry accepts for a push, e.g. Artifact Registry's {@code oauth2accesstoken} with
 * an OAuth access token. {@link #toString()} never shows the password.
 */
public record RegistryCredential(String username, String password) {
  public RegistryCredential {
    if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
      throw new IllegalArgumentException("a registry credential needs a user name and a password");
    }
  }

  @Override
  public String toString() {
    return "RegistryCredential[username=" + username + ", password=(hidden)]";
  }
}
