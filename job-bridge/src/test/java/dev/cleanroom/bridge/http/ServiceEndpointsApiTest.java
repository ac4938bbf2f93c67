package dev.cleanroom.bridge.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.service.sql.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the bridge serves besides the jobs: health, metrics, its contract, the web UI. */
class ServiceEndpointsApiTest {
  @TempDir Path dir;

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body());
  }

  @Test
  void healthMetricsContractAndUi_needNoToken() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      bridge.submitted("alice", "insurance");
      bridge.get("bob", "v1/jobs");
      HttpResponse<byte[]> metrics = bridge.get(null, "metrics");
      HttpResponse<byte[]> ui = bridge.get(null, "ui/");
      HttpResponse<byte[]> root = bridge.get(null, "");
      assertAll(
          () -> assertEquals("{\"status\":\"ok\"}", text(bridge.get(null, "health"))),
          () -> assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4")),
          () -> assertTrue(text(metrics).contains("dcr_bridge_jobs{state=\"SUBMITTED\"} 1"), text(metrics)),
          () -> assertTrue(text(metrics).contains("dcr_bridge_http_requests_total{method=\"POST\",route=\"submitJob\",status=\"201\"} 1"), text(metrics)),
          () -> assertTrue(text(metrics).contains("dcr_bridge_http_requests_total{method=\"GET\",route=\"listJobs\",status=\"200\"} 1"), text(metrics)),
          () -> assertTrue(text(metrics).contains("dcr_bridge_job_transitions_total{state=\"SUBMITTED\"} 1"), text(metrics)),
          () -> assertTrue(text(metrics).contains("dcr_bridge_http_request_duration_seconds_bucket{route=\"submitJob\",le=\"+Inf\"} 1"), text(metrics)),
          () -> assertTrue(text(bridge.get(null, "openapi.yaml")).startsWith("openapi: 3.1.0")),
          () -> assertEquals(200, ui.statusCode()),
          () -> assertTrue(text(ui).contains("<title>Clean room · job bridge</title>")),
          () -> assertTrue(ui.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'self'")),
          () -> assertEquals(302, root.statusCode()),
          () -> assertEquals("/ui/", root.headers().firstValue("Location").orElseThrow()),
          () -> assertEquals("not_found", BridgeFixture.json(bridge.get("alice", "v1/nothing")).path("code").asText()));
    }
  }
}
