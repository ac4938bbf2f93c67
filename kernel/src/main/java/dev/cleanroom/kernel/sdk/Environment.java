package dev.cleanroom.kernel.sdk;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the clean room tells a notebook through environment variables: the stage and where to reach
 * things. Notebook code cannot change it.
 *
 * @param dpUrl stage 1: the DP query service ({@code DCR_DP_URL})
 * @param token stage 1: the scientist's token for it ({@code DCR_TOKEN})
 * @param inputDir stage 2: one folder per dataset holding {@code real.csv} and {@code policy.yaml}
 *     ({@code DCR_INPUT_DIR})
 * @param outputDir stage 2: where {@link Dcr#output} files go ({@code DCR_OUTPUT_DIR})
 * @param scratchDir stage 1: where {@link Dcr#output} files go ({@code DCR_SCRATCH_DIR}, else a
 *     folder under the temporary directory)
 * @param bridgeUrl the job bridge ({@code DCR_BRIDGE_URL}), for {@code %submit} and {@code %jobs}
 */
public record Environment(
    Stage stage,
    Optional<String> dpUrl,
    Optional<String> token,
    Optional<Path> inputDir,
    Optional<Path> outputDir,
    Path scratchDir,
    Optional<String> bridgeUrl) {

  public static Environment of(Map<String, String> variables) {
    return new Environment(
        Stage.parse(variables.get("DCR_STAGE")),
        value(variables, "DCR_DP_URL"),
        value(variables, "DCR_TOKEN"),
        value(variables, "DCR_INPUT_DIR").map(Path::of),
        value(variables, "DCR_OUTPUT_DIR").map(Path::of),
        value(variables, "DCR_SCRATCH_DIR").map(Path::of)
            .orElse(Path.of(System.getProperty("java.io.tmpdir"), "dcr-scratch-" + ProcessHandle.current().pid())),
        value(variables, "DCR_BRIDGE_URL"));
  }

  private static Optional<String> value(Map<String, String> variables, String name) {
    return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
  }
}
