package dev.cleanroom.tee.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.Sha256;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The system calls the simulator's container may not make, as an OCI runtime {@code linux.seccomp} section: our
 * own list, in the spirit of Docker's default profile but a deny list, so that nothing a JVM, JShell or a
 * notebook's native library (OpenDP, XGBoost's OpenMP) needs is refused by accident. What it refuses is what lets a
 * process leave its container or attack the kernel beneath it: no normal program in the image needs any of it.
 *
 * <p>Invariant: only x86-64 system calls pass (libseccomp refuses other ABIs: 32-bit and x32 calls cannot get around
 * a name); {@link #sha256()} is the sha256 of the canonical JSON of {@link #json()}, what the token attests.
 */
final class SeccompProfile {
  private static final int EPERM = 1;
  private static final int ENOSYS = 38;
  /** clone(2) flags that make new namespaces: no new user namespace (the kernel's largest attack surface from a container), no other. */
  private static final Map<String, Long> NAMESPACE_FLAGS = namespaceFlags();

  /** Refused with EPERM, by reason. */
  private static final Map<String, List<String>> DENIED = denied();

  private SeccompProfile() {}

  private static Map<String, List<String>> denied() {
    Map<String, List<String>> denied = new LinkedHashMap<>();
    denied.put("mounts and namespaces: the container's view of the host is fixed", List.of("mount", "umount2", "pivot_root",
        "chroot", "unshare", "setns", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr"));
    denied.put("other processes' memory and tracing", List.of("ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
        "pidfd_getfd", "perf_event_open"));
    denied.put("kernel extension and administration", List.of("init_module", "finit_module", "delete_module", "kexec_load",
        "kexec_file_load", "bpf", "reboot", "swapon", "swapoff", "acct", "syslog", "quotactl", "quotactl_fd", "lookup_dcookie",
        "iopl", "ioperm", "vhangup", "sethostname", "setdomainname"));
    denied.put("the host's clock", List.of("settimeofday", "clock_settime", "clock_adjtime", "adjtimex"));
    denied.put("the kernel's key store, shared with the host", List.of("add_key", "request_key", "keyctl"));
    denied.put("files by handle, which bypasses the container's mounts", List.of("open_by_handle_at", "name_to_handle_at"));
    denied.put("interfaces with a record of kernel exploits", List.of("userfaultfd", "io_uring_setup", "io_uring_enter",
        "io_uring_register"));
    denied.put("anonymous executable files, which get around noexec mounts", List.of("memfd_create", "memfd_secret"));
    denied.put("memory placement on the host's NUMA nodes", List.of("move_pages", "migrate_pages"));
    denied.put("obsolete calls", List.of("uselib", "ustat", "sysfs", "_sysctl"));
    return denied;
  }

  private static Map<String, Long> namespaceFlags() {
    Map<String, Long> flags = new LinkedHashMap<>();
    flags.put("CLONE_NEWNS", 0x00020000L);
    flags.put("CLONE_NEWCGROUP", 0x02000000L);
    flags.put("CLONE_NEWUTS", 0x04000000L);
    flags.put("CLONE_NEWIPC", 0x08000000L);
    flags.put("CLONE_NEWUSER", 0x10000000L);
    flags.put("CLONE_NEWPID", 0x20000000L);
    flags.put("CLONE_NEWNET", 0x40000000L);
    return flags;
  }

  /** The runtime spec's {@code linux.seccomp}. */
  static ObjectNode json() {
    ObjectNode seccomp = JsonNodeFactory.instance.objectNode();
    seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
    seccomp.putArray("architectures").add("SCMP_ARCH_X86_64");
    ArrayNode syscalls = seccomp.putArray("syscalls");
    ObjectNode denied = syscalls.addObject();
    ArrayNode names = denied.putArray("names");
    DENIED.values().forEach(list -> list.forEach(names::add));
    denied.put("action", "SCMP_ACT_ERRNO");
    denied.put("errnoRet", EPERM);
    // clone3 passes its flags in memory a filter cannot read: ENOSYS makes the C library fall back to clone(2),
    // whose flags are checked here one by one (a rule matches when the flag is set).
    ObjectNode clone3 = syscalls.addObject();
    clone3.putArray("names").add("clone3");
    clone3.put("action", "SCMP_ACT_ERRNO");
    clone3.put("errnoRet", ENOSYS);
    for (long flag : NAMESPACE_FLAGS.values()) {
      ObjectNode clone = syscalls.addObject();
      clone.putArray("names").add("clone");
      clone.put("action", "SCMP_ACT_ERRNO");
      clone.put("errnoRet", EPERM);
      clone.putArray("args").addObject().put("index", 0).put("value", flag).put("valueTwo", flag).put("op", "SCMP_CMP_MASKED_EQ");
    }
    return seccomp;
  }

  /** The sha256 of the profile's canonical JSON (RFC 8785). */
  static Sha256 sha256() {
    return Sha256.of(CanonicalJson.serialize(json()));
  }
}
