package dev.cleanroom.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The job magics' own checks, made before any call to a bridge. Talking to a real bridge through JupyterHub is
 * jupyterhub-config/tests/test_tour.py.
 */
class MagicsTest {
  private final Magics withoutBridge = new Magics(Optional.empty(), Map.of());

  private String refusal(String line) {
    return assertThrows(Magics.MagicException.class, () -> withoutBridge.run(line)).code();
  }

  @Test
  void submitWithoutABridge_saysWhoSetsIt() {
    Magics.MagicException e = assertThrows(Magics.MagicException.class, () -> withoutBridge.run("%submit"));
    assertEquals("no_job_bridge", e.code());
    assertTrue(e.getMessage().contains("DCR_BRIDGE_URL"), e.getMessage());
  }

  @Test
  void submitArguments_areCheckedFirst() {
    assertEquals("unknown_option", refusal("%submit --force"));
    assertEquals("missing_argument", refusal("%submit --dataset"));
    assertEquals("too_many_arguments", refusal("%submit a.ipynb b.ipynb"));
  }

  @Test
  void jobMagics_needOneWellFormedId() {
    assertEquals("missing_argument", refusal("%job"));
    assertEquals("missing_argument", refusal("%outputs"));
    assertEquals("invalid_job_id", refusal("%outputs ../../etc"));
    assertEquals("no_job_bridge", refusal("%job job-k3v9x2m4q7b1c8d5"));
  }
}
