package dev.cleanroom.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The single-user image's wheels are the versions JupyterHub's own install freezes, so both run the same Jupyter. */
class WheelLockTest {
  private static final Path HUB_CONFIG = Path.of("..", "jupyterhub-config");

  private static Map<String, String> pins(Path file) throws Exception {
    Map<String, String> pins = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String pin = line.replaceFirst("#.*", "").strip();
      if (pin.contains("==")) {
        String[] parts = pin.split("==", 2);
        pins.put(normalized(parts[0]), parts[1].strip());
      }
    }
    return pins;
  }

  /** PEP 503 names: case and runs of '-', '_', '.' do not matter. */
  private static String normalized(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  @Test
  void pinned_everyWheel_hasTheVersionConstraintsTxtFreezes() throws Exception {
    Map<String, String> constraints = pins(HUB_CONFIG.resolve("constraints.txt"));
    WheelLock lock = WheelLock.pinned();
    assertTrue(lock.wheels().size() > 50, "JupyterLab and JupyterHub need many packages; the lock has " + lock.wheels().size());
    for (WheelLock.Wheel wheel : lock.wheels()) {
      assertEquals(constraints.get(normalized(wheel.name())), wheel.version(),
          wheel.file() + " against constraints.txt; run images/relock-singleuser-wheels");
    }
  }

  @Test
  void pinned_holdsJupyterLabAndJupyterHubAtTheirRequiredVersions() throws Exception {
    Map<String, String> required = pins(HUB_CONFIG.resolve("requirements.txt"));
    Map<String, String> locked = new HashMap<>();
    WheelLock.pinned().wheels().forEach(w -> locked.put(normalized(w.name()), w.version()));
    assertEquals(required.get("jupyterlab"), locked.get("jupyterlab"), "run images/relock-singleuser-wheels");
    assertEquals(required.get("jupyterhub"), locked.get("jupyterhub"), "run images/relock-singleuser-wheels");
  }

  @Test
  void parse_withoutPip_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WheelLock.parse(
        "wheel six-1.17.0-py2.py3-none-any.whl " + "0".repeat(64) + "\n"));
    assertTrue(e.getMessage().contains("tool pip"), e.getMessage());
  }

  @Test
  void wheel_nameAndVersion_comeFromTheFileName() {
    WheelLock.Wheel wheel = new WheelLock.Wheel("argon2_cffi_bindings-26.2.0-cp310-abi3-manylinux_2_26_x86_64.whl",
        new dev.cleanroom.attestation.manifest.Sha256("0".repeat(64)));
    assertEquals("argon2_cffi_bindings==26.2.0", wheel.pin());
  }
}
