package dev.cleanroom.attestation.report;

import dev.cleanroom.attestation.AttestationException;

/** Prints {@link JobFolder#hashOutputs()} of a folder, or its refusal's code: for the test that runs it in other locales. */
public final class HashOutputsMain {
  private HashOutputsMain() {}

  public static void main(String[] args) throws Exception {
    try {
      JobFolder.at(java.nio.file.Path.of(args[0])).hashOutputs().forEach((key, hash) -> System.out.println(key + " " + hash.hex()));
    } catch (AttestationException e) {
      System.out.println("refused: " + e.code());
    }
  }
}
