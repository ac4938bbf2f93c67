package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.dp.provision.InputCommitment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFolderInputsTest {
  @TempDir Path input;
  private final SortedMap<String, Sha256> expected = new TreeMap<>();
  private byte[] key;

  @BeforeEach
  void twoInputsAndTheirKey() throws IOException {
    Files.createDirectories(input.resolve("insurance"));
    Files.writeString(input.resolve("insurance/real.csv"), "age\n19\n");
    Files.writeString(input.resolve("insurance/policy.yaml"), "dataset: insurance\n");
    key = InputCommitment.loadOrCreateKey(input.resolve("insurance"));
    for (String name : List.of("insurance/real.csv", "insurance/policy.yaml", "insurance/" + InputCommitment.KEY_FILE)) {
      expected.put(name, commitment(name));
    }
  }

  private Sha256 commitment(String name) throws IOException {
    return new Sha256(InputCommitment.of(key, input.resolve(name)));
  }

  @Test
  void open_exactlyTheExpectedInputs_returnsTheFolderAndTheirHashes() throws Exception {
    InputSource.Checked checked = new LocalFolderInputs(input).open(expected);
    assertEquals(input, checked.dir());
    assertEquals(expected, checked.seen());
  }

  @Test
  void open_changedContent_isRefusedWithBothCommitments() throws IOException {
    Files.writeString(input.resolve("insurance/real.csv"), "age\n20\n");
    var e = assertThrows(InputSource.InputMismatchException.class, () -> new LocalFolderInputs(input).open(expected));
    assertTrue(e.getMessage().startsWith("input 'insurance/real.csv' has commitment"), e.getMessage());
    assertEquals(commitment("insurance/real.csv"), e.seen().get("insurance/real.csv"));
    assertNotEquals(Sha256.of("age\n20\n".getBytes(StandardCharsets.UTF_8)), e.seen().get("insurance/real.csv"));
  }

  @Test
  void open_theSameRowsUnderAnotherKey_areRefused() throws IOException {
    Files.writeString(input.resolve("insurance/" + InputCommitment.KEY_FILE), "ab".repeat(32) + "\n");
    var e = assertThrows(InputSource.InputMismatchException.class, () -> new LocalFolderInputs(input).open(expected));
    assertTrue(e.getMessage().startsWith("input 'insurance/commitment.key' has commitment"), e.getMessage());
  }

  @Test
  void open_aDatasetWithoutItsKey_isRefused() throws IOException {
    Files.delete(input.resolve("insurance/" + InputCommitment.KEY_FILE));
    var e = assertThrows(InputSource.InputMismatchException.class, () -> new LocalFolderInputs(input).open(expected));
    assertEquals("input 'insurance/policy.yaml' has no dataset commitment key (insurance/commitment.key is missing or"
        + " malformed)", e.getMessage());
  }

  @Test
  void open_aFileTheJobDoesNotList_isRefused() throws IOException {
    Files.writeString(input.resolve("insurance/extra.csv"), "x");
    var e = assertThrows(InputSource.InputMismatchException.class, () -> new LocalFolderInputs(input).open(expected));
    assertEquals("the input folder holds 'insurance/extra.csv', which the job does not list", e.getMessage());
  }

  @Test
  void open_aMissingInput_isRefused() throws IOException {
    Files.delete(input.resolve("insurance/policy.yaml"));
    var e = assertThrows(InputSource.InputMismatchException.class, () -> new LocalFolderInputs(input).open(expected));
    assertEquals("input 'insurance/policy.yaml' is missing", e.getMessage());
  }

  @Test
  void open_aLink_isRefused(@TempDir Path elsewhere) throws IOException {
    Path target = Files.writeString(elsewhere.resolve("secret"), "host file");
    Files.createSymbolicLink(input.resolve("insurance/link"), target);
    var e = assertThrows(InputSource.InputMismatchException.class, () -> new LocalFolderInputs(input).open(expected));
    assertTrue(e.getMessage().contains("link or a special file"), e.getMessage());
  }
}
