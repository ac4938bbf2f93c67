package dev.cleanroom.dp.client;

import java.util.Objects;

/**
 * Who asks the stage-1 service: a user name and whether the user is a scientist. Only scientists use
 * datasets in stage 1; a provider or an auditor is a user too, and a dataset that admits "every scientist"
 * admits none of them.
 *
 * @param scientist whether the user holds the scientist role (JupyterHub's group {@code scientists})
 */
public record Caller(String name, boolean scientist) {
  public Caller {
    Objects.requireNonNull(name, "name");
  }

  /** A user with the scientist role. */
  public static Caller scientist(String name) {
    return new Caller(name, true);
  }
}
