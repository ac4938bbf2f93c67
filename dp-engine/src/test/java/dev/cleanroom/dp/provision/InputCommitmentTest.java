package dev.cleanroom.dp.provision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputCommitmentTest {
  @TempDir Path dir;

  @Test
  void commitment_isHmacSha256OfTheBytesUnderTheKey() throws Exception {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    Path file = Files.writeString(dir.resolve("data"), "what do ya want for nothing?");
    assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        InputCommitment.of("Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII), file));
  }

  @Test
  void sameRowsUnderAnotherDatasetsKey_giveAnotherCommitment() throws Exception {
    Path rows = Files.writeString(dir.resolve("real.csv"), "age,smoker\n19,yes\n");
    byte[] a = InputCommitment.loadOrCreateKey(Files.createDirectories(dir.resolve("a")));
    byte[] b = InputCommitment.loadOrCreateKey(Files.createDirectories(dir.resolve("b")));
    assertNotEquals(InputCommitment.of(a, rows), InputCommitment.of(b, rows));
  }

  @Test
  void key_isMadeOnceAndThenRead() throws Exception {
    byte[] first = InputCommitment.loadOrCreateKey(dir);
    assertEquals(32, first.length);
    assertArrayEquals(first, InputCommitment.loadOrCreateKey(dir));
  }

  @Test
  void malformedKey_isRefusedSayingWhatToDo() throws Exception {
    Files.writeString(dir.resolve(InputCommitment.KEY_FILE), "not a key");
    IOException e = assertThrows(IOException.class, () -> InputCommitment.loadOrCreateKey(dir));
    assertTrue(e.getMessage().contains("provision the dataset again"), e.getMessage());
  }
}
