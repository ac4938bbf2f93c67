package dev.cleanroom.dp.policy;

import java.util.Arrays;
import java.util.Optional;

/** A stage-1 view of a dataset that a provider can turn on. */
public enum View {
  /** DP queries answered by the DP query service, charged to the scientist's budget. */
  DP_QUERY("dp-query"),
  /** DP synthetic rows, made once at provisioning with the provider's own ε. */
  SYNTHETIC("synthetic"),
  /** Rows drawn from the declared schema alone: the right shape, no information about the data. */
  MOCK("mock");

  private final String id;

  View(String id) {
    this.id = id;
  }

  /** The name used in policy files and the API. */
  public String id() {
    return id;
  }

  public static Optional<View> byId(String id) {
    return Arrays.stream(values()).filter(view -> view.id.equals(id)).findFirst();
  }
}
