package dev.cleanroom.bridge.gcp;

import java.util.Locale;

/**
 * The memory-encryption technology of a Confidential Space VM. Each runs on its own machine family, and the
 * pair is checked before any VM is asked for, since Compute Engine refuses a mismatch only at insert time.
 */
public enum ConfidentialType {
  /** Intel TDX on C3 standard machines, the only C3 shape Confidential Space documents for TDX; tokens say {@code hwmodel = GCP_INTEL_TDX}. */
  TDX("c3-standard-4", "c3-standard-"),
  /** AMD SEV on N2D machines; tokens say {@code hwmodel = GCP_AMD_SEV}. */
  SEV("n2d-standard-4", "n2d-");

  private final String defaultMachineType;
  private final String machineFamilyPrefix;

  ConfidentialType(String defaultMachineType, String machineFamilyPrefix) {
    this.defaultMachineType = defaultMachineType;
    this.machineFamilyPrefix = machineFamilyPrefix;
  }

  public String defaultMachineType() {
    return defaultMachineType;
  }

  /** Whether Confidential Space supports this type on {@code machineType} (e.g. {@code c3-standard-8}). */
  public boolean runsOn(String machineType) {
    return machineType.startsWith(machineFamilyPrefix);
  }

  static ConfidentialType parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + value + "' is not a confidential type: use TDX or SEV");
    }
  }
}
