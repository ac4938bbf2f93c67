package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.testing.InsuranceData;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The service API without HTTP: results and refusals travel in the Future, refusals with their code. */
@ExtendWith(VertxExtension.class)
class DpQueryServiceTest {
  @TempDir Path dir;
  private PrivacyLedger ledger;
  private DpQueryService service;

  @BeforeEach
  void create(Vertx vertx) throws IOException {
    ledger = PrivacyLedger.open(ServiceFixture.ledgerUrl(dir));
    service = DpQueryService.create(vertx, ledger, List.of(
        ProvisionedDataset.open(ServiceFixture.provision(dir, InsuranceData.policy()), InsuranceData.CSV),
        ProvisionedDataset.open(ServiceFixture.provision(dir, ServiceFixture.privateInsurance()),
            ServiceFixture.data(dir, ServiceFixture.privateInsurance()))));
  }

  @AfterEach
  void close() {
    ledger.close(); // Vert.x, and with it the service's workers, is closed by the extension
  }

  private List<String> chargedQueryIds() {
    return ledger.charges(InsuranceData.BUDGET_KEY).stream().map(Charge::queryId).toList();
  }

  private static void refusedWith(VertxTestContext test, Checkpoint refused, Throwable failure, int status, String code) {
    test.verify(() -> {
      DpClientException refusal = assertInstanceOf(DpClientException.class, failure);
      assertEquals(code, refusal.code(), refusal.getMessage());
      assertEquals(status, refusal.httpStatus());
      refused.flag();
    });
  }

  @Test
  void anAnswerArrivesWithItsChargeAlreadyInTheLedger(VertxTestContext test) {
    Checkpoint answered = test.checkpoint();
    service.query(Caller.scientist("alice"), "insurance", QueryRequest.of(DpQuery.count(0.5)))
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertEquals(List.of(answer.queryId()), chargedQueryIds());
          assertEquals(1.5, answer.remaining().epsilon(), 1e-9);
          answered.flag();
        })));
  }

  @Test
  void theAuditIsTheProvidersAlone(VertxTestContext test) {
    Checkpoint providerReads = test.checkpoint();
    Checkpoint othersRefused = test.checkpoint(2);
    service.audit(new Caller("pat", false), "insurance").onComplete(test.succeeding(charges -> test.verify(() -> {
      assertEquals(List.of(), charges);
      providerReads.flag();
    })));
    service.audit(new Caller("quinn", false), "insurance").onComplete(test.failing(e -> refusedWith(test, othersRefused, e, 403, "not_permitted")));
    service.audit(Caller.scientist("alice"), "insurance").onComplete(test.failing(e -> refusedWith(test, othersRefused, e, 403, "not_permitted")));
  }

  @Test
  void refusalsAreCodedAndChargeNothing(VertxTestContext test) {
    Checkpoint refused = test.checkpoint(4);
    QueryRequest notACategory = new QueryRequest(DpQuery.count(0.1), Map.of("region", "arctic"), Optional.empty());
    service.query(Caller.scientist("alice"), "insurance", notACategory)
        .onComplete(test.failing(e -> refusedWith(test, refused, e, 400, "unknown_category")));
    service.query(Caller.scientist("alice"), "private-insurance", QueryRequest.of(DpQuery.count(0.1)))
        .onComplete(test.failing(e -> refusedWith(test, refused, e, 403, "not_permitted")));
    service.query(Caller.scientist("alice"), "insurance", QueryRequest.of(DpQuery.count(-1)))
        .onComplete(test.failing(e -> refusedWith(test, refused, e, 400, "invalid_epsilon")));
    service.queryByGroup(Caller.scientist("alice"), "insurance",
            new QueryRequest(DpQuery.count(0.1), Map.of(), Optional.of("charges")))
        .onComplete(test.failing(e -> refusedWith(test, refused, e, 400, "wrong_column_type")));
  }

  /** The insurance data with a declared region no row is in: filtering on it leaves no rows. */
  private static DatasetPolicy withEmptyRegion() {
    DatasetPolicy demo = ServiceFixture.policy("regions", "pat", List.of(), new PrivacyCost(100, 1e-6),
        new PrivacyCost(1, 1e-6));
    List<ColumnPolicy> columns = demo.columns().stream()
        .map(c -> c.name().equals("region") ? new ColumnPolicy.Categorical("region",
            List.of("northeast", "northwest", "southeast", "southwest", "arctic")) : c)
        .toList();
    return new DatasetPolicy(demo.dataset(), demo.owner(), demo.description(), demo.scientists(), demo.views(), columns,
        demo.budgetPerScientist(), demo.maxPerQuery(), demo.datasetTotal(), demo.syntheticCost(), demo.invalidValues(),
        demo.outputsNeedRelease(), demo.refusesHiddenCode(), Optional.empty(), demo.minEpsilonPerQuery(),
        demo.outputRules(), demo.allowedLibraryGroups(), demo.source());
  }

  @Test
  void everyQueryOnAGroupWithNoRowsIsAnswered(Vertx vertx, VertxTestContext test) throws IOException {
    DpQueryService regions = DpQueryService.create(vertx, ledger,
        List.of(ProvisionedDataset.open(ServiceFixture.provision(dir, withEmptyRegion()), InsuranceData.CSV)));
    List<DpQuery<?>> queries = List.of(DpQuery.count(0.1), DpQuery.sum("charges", 0.1), DpQuery.mean("charges", 0.1),
        new DpQuery.Mean("bmi", 0.1, 1e-7), DpQuery.histogram("sex", 0.1), DpQuery.median("age", 0.1));
    Checkpoint answered = test.checkpoint(queries.size() + 1);
    for (DpQuery<?> query : queries) {
      regions.query(Caller.scientist("alice"), "regions", new QueryRequest(query, Map.of("region", "arctic"), Optional.empty()))
          .onComplete(test.succeeding(answer -> answered.flag()));
    }
    regions.queryByGroup(Caller.scientist("alice"), "regions", new QueryRequest(DpQuery.mean("charges", 0.2), Map.of(), Optional.of("region")))
        .onComplete(test.succeeding(groups -> test.verify(() -> {
          assertEquals(List.of("northeast", "northwest", "southeast", "southwest", "arctic"),
              List.copyOf(groups.groups().keySet()));
          assertEquals(0.2, groups.cost().epsilon(), 1e-9);
          answered.flag();
        })));
  }

  /** Attack (DP review, 1): the same CSV served as "a" (total ε 2) and "b" (total ε 20) reached ε 20. */
  @Test
  void theSameDataUnderTwoNames_isRefusedAtStart(Vertx vertx) throws IOException {
    PrivacyLedger own = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("own.db"));
    try (own) {
      List<ProvisionedDataset> twice = List.of(
          ProvisionedDataset.open(ServiceFixture.provision(dir, ServiceFixture.policy("a", "pat", List.of(),
              PrivacyCost.pure(2), PrivacyCost.pure(1))), InsuranceData.CSV),
          ProvisionedDataset.open(ServiceFixture.provision(dir, ServiceFixture.policy("b", "pat", List.of(),
              PrivacyCost.pure(20), PrivacyCost.pure(1))), InsuranceData.CSV));
      var refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> DpQueryService.create(vertx, own, twice));
      assertEquals("Datasets 'a' and 'b' are the same data (" + InsuranceData.BUDGET_KEY + "); serve it once, under"
          + " the one policy that should govern it", refused.getMessage());
    }
  }
}
