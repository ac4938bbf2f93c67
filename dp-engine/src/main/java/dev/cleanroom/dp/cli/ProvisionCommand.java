package dev.cleanroom.dp.cli;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.LedgerException;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.PolicyException;
import dev.cleanroom.dp.provision.PolicyDraft;
import dev.cleanroom.dp.provision.Provisioner;
import dev.cleanroom.dp.provision.ProvisioningException;
import dev.cleanroom.dp.provision.ProvisioningRecord;
import dev.cleanroom.dp.synth.Synthesizer;
import dev.cleanroom.dp.synth.SyntheticTable;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.InvalidDataException;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * {@code dcr provision}: the provider's command for stage-1 views, and for drafting a policy.
 *
 * <p>Exit codes: 0 done, 1 refused or failed (the message says why and what to do), 2 usage error.
 * Expected failures print one message, never a stack trace.
 */
public final class ProvisionCommand {
  static final String USAGE = """
      usage: dcr provision --data <real.csv> --policy <policy.yaml> --out <dir> [--ledger <jdbc-url>] [--force]
             dcr provision --infer <real.csv> [--dataset <name>] [--owner <user>] [--infer-epsilon <ε>] [--reveal]

        --data     the real data (CSV with a header row); read, never copied into <dir>
        --policy   the dataset's policy (docs/policy.md)
        --out      where the stage-1 views go: schema.json, mock.csv, synthetic.csv, policy.yaml, provision.json
        --ledger   the DP query service's privacy ledger (jdbc:sqlite:<file> or jdbc:postgresql://...): what
                   provisioning spends is charged to the dataset's total there first, and refused if it
                   does not fit; without it the service charges the spends recorded in <dir> when it starts
        --force    make the synthetic view again although <dir> was provisioned from other data or policy
                   (spends the policy's synthetic ε again, charged like the first time)
        --infer    print a draft policy.yaml for <real.csv> to edit: types, bounds and common categories as DP
                   estimates (OpenDP), spending --infer-epsilon (default 1.0, δ 1e-7) on the data; the draft
                   records the spend, and provisioning charges it to the dataset's total
        --reveal   with --infer: copy the data's min, max and every category instead (spends nothing, and
                   the policy is refused until you set drafted.reveal_confirmed: true)
      """;

  private final PrintStream out;
  private final PrintStream err;

  ProvisionCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new ProvisionCommand(System.out, System.err).run(args));
  }

  int run(String[] args) {
    Map<String, String> options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("dcr provision: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try {
      if (options.containsKey("infer")) {
        Path csv = Path.of(options.get("infer"));
        String dataset = options.getOrDefault("dataset", defaultName(csv));
        PrivacyCost cost = new PrivacyCost(inferEpsilon(options), PolicyDraft.DEFAULT_COST.delta());
        PolicyDraft.Draft draft = PolicyDraft.infer(CsvFile.read(csv), dataset, options.getOrDefault("owner", "provider"),
            options.containsKey("reveal"), cost);
        out.print(draft.yaml());
        err.println(options.containsKey("reveal")
            ? "dcr provision: the draft copies the data's own values (marked REVEALED); review them and set"
                + " drafted.reveal_confirmed: true before provisioning"
            : "dcr provision: drafting spent " + draft.spent() + " on " + csv + " (recorded in the draft's 'drafted:'"
                + " section; provisioning charges it to the dataset's total)");
        return 0;
      }
      for (String required : List.of("data", "policy", "out")) {
        if (!options.containsKey(required)) {
          err.println("dcr provision: --" + required + " is missing");
          err.print(USAGE);
          return 2;
        }
      }
      Provisioner provisioner = new Provisioner(ProvisionCommand::synthesize, Clock.systemUTC(), err::println);
      ProvisioningRecord record;
      try (PrivacyLedger ledger = options.containsKey("ledger") ? PrivacyLedger.open(options.get("ledger")) : null) {
        record = provisioner.provision(Path.of(options.get("data")), Path.of(options.get("policy")),
            Path.of(options.get("out")), options.containsKey("force"), Optional.ofNullable(ledger));
      }
      out.println("Synthetic data spent " + record.syntheticSpent() + " in this run, " + record.totalSyntheticSpent()
          + " over " + record.runs() + " run(s).");
      return 0;
    } catch (PolicyException | ProvisioningException | InvalidDataException | LedgerException e) {
      err.println("dcr provision: " + e.getMessage());
      return 1;
    } catch (NoSuchFileException e) {
      err.println("dcr provision: no such file: " + e.getFile());
      return 1;
    } catch (IOException e) {
      err.println("dcr provision: " + e.getMessage());
      return 1;
    }
  }

  /** Sampling from the DP model is post-processing: any generator is private; a fresh seed each run. */
  private static Provisioner.SyntheticDataMaker.Result synthesize(PrivateTable table, PrivacyCost budget) {
    RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(new SecureRandom().nextLong());
    SyntheticTable synthetic = Synthesizer.synthesize(table, budget, random);
    return new Provisioner.SyntheticDataMaker.Result(synthetic.rows(), synthetic.spent());
  }

  private static String defaultName(Path csv) {
    String name = csv.toAbsolutePath().getParent().getFileName().toString().toLowerCase().replaceAll("[^a-z0-9_-]", "-");
    return name.matches("[a-z0-9][a-z0-9_-]{0,62}") ? name : "dataset";
  }

  private static final Set<String> FLAGS = Set.of("force", "reveal");
  private static final Set<String> VALUED =
      Set.of("data", "policy", "out", "ledger", "infer", "dataset", "owner", "infer-epsilon");

  private static double inferEpsilon(Map<String, String> options) {
    String text = options.getOrDefault("infer-epsilon", Double.toString(PolicyDraft.DEFAULT_COST.epsilon()));
    try {
      double epsilon = Double.parseDouble(text);
      if (epsilon > 0 && Double.isFinite(epsilon)) {
        return epsilon;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--infer-epsilon takes a positive number such as 0.5, got '" + text + "'");
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      if (FLAGS.contains(name)) {
        options.put(name, "");
      } else if (VALUED.contains(name)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(arg + " needs a value");
        }
        options.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    inferEpsilon(options); // a usage error, found before anything is read
    if (options.containsKey("infer") && (options.containsKey("data") || options.containsKey("out"))) {
      throw new IllegalArgumentException("--infer drafts a policy; it does not go with --data or --out");
    }
    return options;
  }
}
