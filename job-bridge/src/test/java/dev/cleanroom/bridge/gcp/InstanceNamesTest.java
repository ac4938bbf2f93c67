package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceNamesTest {
  /** Compute Engine's rule for instance names (RFC 1035 labels). */
  private static final String VALID = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";

  @Test
  void forJob_plainId_isKeptReadable() {
    assertEquals("dcr-job-k3v9x2m4q7b1c8d5", InstanceNames.forJob("job-k3v9x2m4q7b1c8d5"));
    assertEquals("dcr-42", InstanceNames.forJob("42"));
  }

  @Test
  void forJob_isTheSameEveryTime() {
    assertEquals(InstanceNames.forJob("Job_42/ä"), InstanceNames.forJob("Job_42/ä"));
  }

  @Test
  void forJob_anyId_givesAValidComputeEngineName() {
    for (String id : List.of("42", "Job_42", "../etc/passwd", "x".repeat(200), "---", "ä", "a;DROP TABLE jobs",
        "UPPER", "trailing-")) {
      String name = InstanceNames.forJob(id);
      assertTrue(name.matches(VALID), id + " -> " + name);
      assertTrue(InstanceNames.label(id).matches("[a-z0-9_-]{1,63}"), id + " -> label " + InstanceNames.label(id));
    }
  }

  @Test
  void forJob_idsThatReduceAlike_getDifferentNames() {
    assertNotEquals(InstanceNames.forJob("job_42"), InstanceNames.forJob("job.42"));
    assertNotEquals(InstanceNames.forJob("Job-42"), InstanceNames.forJob("job-42"));
    assertNotEquals(InstanceNames.forJob("a".repeat(100) + "1"), InstanceNames.forJob("a".repeat(100) + "2"));
  }

  @Test
  void forJob_emptyId_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> InstanceNames.forJob(""));
  }
}
