package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a provisioning run made and spent, written as {@code provision.json} beside the views.
 *
 * @param dataCommitment the real rows' commitment under the dataset's key ({@link InputCommitment}); never their
 *     bare sha256, which would let anyone who knows all rows but one test guesses of the last
 * @param syntheticSpent what the latest run spent on the synthetic view
 * @param totalSyntheticSpent what every run on this folder spent together (re-provisioning with new
 *     data or policy spends again; the total says how much the synthetic views have cost in all)
 * @param spends every spend of the provider's on this folder, each under the ledger id it is charged with,
 *     oldest first: the DP query service charges each to its ledger at start, once
 * @param syntheticSha256 the sha256 of the synthetic.csv this run made, whose spend is the last synthetic view's in
 *     {@code spends}; null without a synthetic view (or in a record from before it was kept)
 */
// A record of an older release names the rows by their bare sha256 (dataSha256): read, it matches no data, so
// provisioning again says the folder was provisioned before and makes its commitment.
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ProvisioningRecord(
    String dataset,
    String tool,
    Instant provisionedAt,
    String policySha256,
    String dataCommitment,
    List<String> views,
    PrivacyCost syntheticSpent,
    PrivacyCost totalSyntheticSpent,
    int runs,
    List<Spend> spends,
    String syntheticSha256) {

  /**
   * One release the provider made from the real data.
   *
   * @param id the ledger's query id for it: charging it again is a replay that charges nothing
   * @param what {@code synthetic view} or {@code policy draft}
   */
  public record Spend(String id, String what, PrivacyCost cost, Instant at) {
    public Spend {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(cost, "cost");
      Objects.requireNonNull(at, "at");
    }
  }

  public ProvisioningRecord {
    views = List.copyOf(views);
    // A record written before spends were kept has none to charge.
    spends = spends == null ? List.of() : List.copyOf(spends);
  }

  /** Whether this record was made from exactly this data and policy. */
  public boolean madeFrom(String policySha256, String dataCommitment) {
    return this.policySha256.equals(policySha256) && dataCommitment.equals(this.dataCommitment);
  }
}
