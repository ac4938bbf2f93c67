package dev.cleanroom.bridge.store;

import java.time.Instant;
import java.util.Optional;

/**
 * One entry of the append-only audit log: who did what to which job, when, and how it ended.
 *
 * @param action what was asked: {@code submit}, {@code approve}, {@code download_output}, ...
 * @param outcome {@code ok}, or the stable code of the refusal ({@code not_permitted}, {@code wrong_state}, ...)
 * @param detail what the action was about: a dataset list, an output path, a comment
 * @param hash sha256 (hex) over the previous entry's hash and this entry's fields: a changed or removed entry
 *     breaks the chain from there on ({@link JobStore#verifyAuditChain()})
 */
public record AuditEntry(
    long seq, Instant at, String actor, String action, Optional<String> jobId, String outcome, String detail, String hash) {}
