package dev.cleanroom.attestation.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cleanroom.attestation.jwks.ArchivedJwks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorKeysTest {
  @TempDir Path dir;

  @Test
  void loadOrCreate_again_loadsTheSameKey() throws Exception {
    Path file = dir.resolve("keys/simulator-keys.json");
    String kid = SimulatorKeys.loadOrCreate(file).activeKeyId();
    assertEquals(kid, SimulatorKeys.loadOrCreate(file).activeKeyId());
  }

  @Test
  void loadOrCreate_writesTheKeyFileReadableByTheOwnerOnly() throws Exception {
    Path file = dir.resolve("simulator-keys.json");
    SimulatorKeys.loadOrCreate(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void rotate_makesANewActiveKeyAndKeepsPublishingTheOld() throws Exception {
    SimulatorKeys keys = SimulatorKeys.loadOrCreate(dir.resolve("k.json"));
    String old = keys.activeKeyId();
    String fresh = keys.rotate();
    assertNotEquals(old, fresh);
    assertEquals(List.of(fresh, old), keys.keyIds());
    assertEquals(List.of(fresh, old), SimulatorKeys.loadOrCreate(dir.resolve("k.json")).keyIds());
  }

  @Test
  void retire_stopsPublishingTheKey() throws Exception {
    SimulatorKeys keys = SimulatorKeys.loadOrCreate(dir.resolve("k.json"));
    String old = keys.activeKeyId();
    String fresh = keys.rotate();
    keys.retire(old);
    assertEquals(List.of(fresh), keys.keyIds());
  }

  @Test
  void retire_activeKey_isRefused() {
    SimulatorKeys keys = SimulatorKeys.ephemeral();
    assertThrows(IllegalArgumentException.class, () -> keys.retire(keys.activeKeyId()));
  }

  @Test
  void publicJwks_holdsNoPrivateParts() {
    String jwks = SimulatorKeys.ephemeral().publicJwks();
    assertFalse(jwks.contains("\"d\""), jwks);
    assertFalse(jwks.contains("\"p\""), jwks);
  }

  @Test
  void archive_namesTheSimulatorAndItsStore() throws Exception {
    ArchivedJwks archived = SimulatorKeys.loadOrCreate(dir.resolve("k.json")).archive(Instant.EPOCH);
    assertEquals(SimulatorIssuer.ISSUER, archived.issuer());
    assertEquals("simulator key store " + dir.resolve("k.json"), archived.source());
  }
}
