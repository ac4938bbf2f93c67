package dev.cleanroom.dp.policy;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.List;
import java.util.Objects;

/**
 * What {@code dcr provision --infer} left in a policy it drafted: what drafting spent on the real data, under
 * the ledger id provisioning charges it with, and which columns carry values copied from the data
 * ({@code --reveal}).
 *
 * @param spent what the draft's DP estimates cost (zero for a {@code --reveal} draft, which spends nothing and
 *     copies values instead)
 * @param spendId the ledger's id for that spend; charging it again charges nothing
 * @param revealedColumns columns whose bounds or categories are the data's own values; a policy with any is
 *     read only once the provider confirms them ({@code reveal_confirmed: true}), and schema.json marks them
 */
public record Drafted(PrivacyCost spent, String spendId, List<String> revealedColumns) {
  public Drafted {
    Objects.requireNonNull(spent, "spent");
    Objects.requireNonNull(spendId, "spendId");
    revealedColumns = List.copyOf(revealedColumns);
  }
}
