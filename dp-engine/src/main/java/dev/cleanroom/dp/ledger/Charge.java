package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.time.Instant;

/**
 * A charge the ledger has durably recorded: the query it paid for may be answered.
 *
 * @param cost what was charged: the requested cost rounded up to 10⁻¹²
 * @param remaining what was left of the scientist's budget on the dataset right after this charge
 * @param replayed whether this query id had been charged before, so this call charged nothing
 */
public record Charge(
    String queryId,
    String scientist,
    String dataset,
    PrivacyCost cost,
    PrivacyCost remaining,
    String description,
    Instant chargedAt,
    boolean replayed) {}
