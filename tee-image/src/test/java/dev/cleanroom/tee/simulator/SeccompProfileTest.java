package dev.cleanroom.tee.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.tee.api.LaunchPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeccompProfileTest {
  private static List<String> refused(int errno) {
    List<String> names = new ArrayList<>();
    for (JsonNode rule : SeccompProfile.json().path("syscalls")) {
      if (rule.path("action").asText().equals("SCMP_ACT_ERRNO") && rule.path("errnoRet").asInt() == errno && rule.path("args").isMissingNode()) {
        rule.path("names").forEach(n -> names.add(n.asText()));
      }
    }
    return names;
  }

  @Test
  void theCallsThatLeaveAContainer_areRefused() {
    List<String> refused = refused(1);
    for (String call : List.of("mount", "unshare", "setns", "ptrace", "bpf", "init_module", "keyctl", "open_by_handle_at",
        "userfaultfd", "io_uring_setup", "memfd_create", "process_vm_readv")) {
      assertTrue(refused.contains(call), call);
    }
  }

  @Test
  void onlyX8664CallsPass_andClone3FallsBackToACheckedClone() {
    ObjectNode profile = SeccompProfile.json();
    assertEquals("SCMP_ACT_ALLOW", profile.path("defaultAction").asText());
    assertEquals("[\"SCMP_ARCH_X86_64\"]", profile.path("architectures").toString());
    assertEquals(List.of("clone3"), refused(38));
    long userNamespace = 0x10000000L;
    boolean cloneChecked = false;
    for (JsonNode rule : profile.path("syscalls")) {
      JsonNode arg = rule.path("args").path(0);
      cloneChecked |= rule.path("names").path(0).asText().equals("clone") && arg.path("value").asLong() == userNamespace
          && arg.path("op").asText().equals("SCMP_CMP_MASKED_EQ");
    }
    assertTrue(cloneChecked, "clone(CLONE_NEWUSER) is refused");
  }

  @Test
  void theAttestedHash_isTheProfilesCanonicalJson() {
    assertEquals(Sha256.of(CanonicalJson.serialize(SeccompProfile.json())), SeccompProfile.sha256());
    assertTrue(RuncRunner.describe(LaunchPolicy.Sandbox.standard()).startsWith("seccomp=" + SeccompProfile.sha256().ociDigest() + ";"));
  }

  @Test
  void theSandboxLimits_becomeTheRuntimesResources() {
    ObjectNode linux = JsonNodeFactory.instance.objectNode();
    RuncRunner.limit(linux, new LaunchPolicy.Sandbox(256, 1L << 30, 1500));
    assertEquals(256, linux.at("/resources/pids/limit").asLong());
    assertEquals(1L << 30, linux.at("/resources/memory/limit").asLong());
    assertEquals(1L << 30, linux.at("/resources/memory/swap").asLong(), "no swap beyond the memory limit");
    assertEquals(150_000, linux.at("/resources/cpu/quota").asLong());
    assertEquals(100_000, linux.at("/resources/cpu/period").asLong());
  }
}
