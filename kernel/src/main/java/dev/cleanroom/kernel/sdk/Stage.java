package dev.cleanroom.kernel.sdk;

import java.util.Locale;

/** Where a notebook runs; set by the clean room through {@code DCR_STAGE}, never by the notebook. */
public enum Stage {
  /** Stage 1: the scientist explores views the policy allows and asks DP queries, charged to a budget. */
  EXPLORATION,
  /** Stage 2: the notebook runs on the real rows inside the TEE; its outputs are reviewed before release. */
  EXECUTION;

  /** The name used in {@code DCR_STAGE}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return id();
  }

  static Stage parse(String value) {
    if (value == null || value.isBlank()) {
      return EXPLORATION;
    }
    for (Stage stage : values()) {
      if (stage.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return stage;
      }
    }
    throw new SdkException("invalid_stage",
        "DCR_STAGE is '" + value + "'; it must be 'exploration' or 'execution' (the clean room sets it, not the notebook)");
  }
}
