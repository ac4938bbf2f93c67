package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.client.BudgetStatus;
import dev.cleanroom.dp.client.DatasetInfo;
import dev.cleanroom.dp.client.DpClient;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The state behind {@link Dcr} for one kernel: the environment, the stage-1 DP client (made on first
 * use), and the stage-2 input folder.
 *
 * <p>Invariant: in stage 1 nothing here opens a file outside the scratch folder: rows come from the
 * DP query service's views, answers from its DP queries.
 */
final class CleanRoom {
  static final String REAL_ROWS = "real.csv";
  /** Stage 2: the provider's DP synthetic view, among the inputs when its policy offers that view. */
  static final String SYNTHETIC_ROWS = "synthetic.csv";
  static final String POLICY = "policy.yaml";

  private final Environment environment;
  private volatile DpClient client;
  private final Map<String, Optional<DatasetPolicy>> stage2Policies = new ConcurrentHashMap<>();

  CleanRoom(Environment environment, DpClient client) {
    this.environment = environment;
    this.client = client;
  }

  Stage stage() {
    return environment.stage();
  }

  Environment environment() {
    return environment;
  }

  DpClient client() {
    DpClient current = client;
    if (current == null) {
      synchronized (this) {
        if (client == null) {
          client = DpClients.fromEnvironment(environment);
        }
        current = client;
      }
    }
    return current;
  }

  List<DatasetInfo> datasetInfos() {
    return call(() -> client().datasets());
  }

  List<String> datasetNames() {
    if (stage() == Stage.EXPLORATION) {
      return datasetInfos().stream().map(DatasetInfo::name).toList();
    }
    Path input = inputDir();
    try (Stream<Path> entries = Files.list(input)) {
      return entries.filter(dir -> Files.isRegularFile(dir.resolve(REAL_ROWS)))
          .map(dir -> dir.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new SdkException("input_unreadable", "Tried to list the datasets in " + input + " but failed because: "
          + e.getMessage(), e);
    }
  }

  Dataset dataset(String name) {
    if (name == null || name.isBlank()) {
      throw new SdkException("unknown_dataset", "A dataset needs a name; available: " + datasetNames());
    }
    if (stage() == Stage.EXPLORATION) {
      DatasetInfo info = datasetInfos().stream().filter(d -> d.name().equals(name)).findFirst()
          .orElseThrow(() -> new SdkException("unknown_dataset",
              "No dataset '" + name + "'; available to you: " + String.join(", ", datasetNames())));
      return new Dataset(this, name, Optional.of(info));
    }
    if (!Files.isRegularFile(inputDir().resolve(name).resolve(REAL_ROWS))) {
      throw new SdkException("unknown_dataset",
          "No dataset '" + name + "' in this job's inputs; available: " + String.join(", ", datasetNames()));
    }
    return new Dataset(this, name, Optional.empty());
  }

  Budget budget() {
    if (stage() == Stage.EXECUTION) {
      return new Budget(stage(), List.of());
    }
    List<BudgetStatus> statuses = datasetInfos().stream()
        .filter(info -> info.views().contains("dp-query"))
        .map(info -> call(() -> client().budget(info.name())))
        .toList();
    return new Budget(stage(), statuses);
  }

  Output output(String name) {
    Path root = stage() == Stage.EXECUTION
        ? environment.outputDir().orElseThrow(() -> new SdkException("no_output_dir",
            "DCR_OUTPUT_DIR is not set: stage 2 writes outputs there (the TEE launcher sets it)"))
        : environment.scratchDir();
    return Output.resolve(root, name, stage());
  }

  Path inputDir() {
    return environment.inputDir().orElseThrow(() -> new SdkException("no_input_dir",
        "DCR_INPUT_DIR is not set: in stage 2 the TEE launcher puts each dataset's real rows there"));
  }

  /** Stage 2: the dataset's policy beside its rows, if the job was given one. */
  Optional<DatasetPolicy> stage2Policy(String name) {
    return stage2Policies.computeIfAbsent(name, key -> {
      Path file = inputDir().resolve(key).resolve(POLICY);
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      try {
        return Optional.of(PolicyFile.read(file));
      } catch (IOException e) {
        throw new SdkException("input_unreadable", "Tried to read " + file + " but failed because: " + e.getMessage(), e);
      }
    });
  }

  interface Call<T> {
    T run();
  }

  /** Runs a DP client call; its failures become SDK errors carrying the service's code and message. */
  static <T> T call(Call<T> call) {
    try {
      return call.run();
    } catch (DpClientException e) {
      throw new SdkException(e.code(), e.getMessage(), e);
    }
  }
}
