package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.client.DpClient;
import dev.cleanroom.dp.client.HttpDpClient;
import java.net.URI;

/**
 * Makes the stage-1 DP client from the environment: dp-engine's HTTP client against
 * {@code DCR_DP_URL} with {@code DCR_TOKEN}.
 */
final class DpClients {
  private DpClients() {}

  static DpClient fromEnvironment(Environment environment) {
    String url = environment.dpUrl().orElseThrow(() -> new SdkException("no_dp_service",
        "No DP query service is configured (DCR_DP_URL is not set). In stage 1 the clean room starts the kernel"
            + " with DCR_DP_URL and DCR_TOKEN; ask your clean room operator, or use a dataset's table() view."));
    String token = environment.token().orElseThrow(() -> new SdkException("no_token",
        "DCR_DP_URL is set but DCR_TOKEN is not: the DP query service needs your token."));
    try {
      return HttpDpClient.create(URI.create(url), token);
    } catch (IllegalArgumentException e) {
      throw new SdkException("no_dp_service", "DCR_DP_URL is not a URL: " + url, e);
    }
  }
}
