package dev.cleanroom.bridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cleanroom.attestation.cli.VerifyCommand;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Calls a bridge (in another process) as the fixture's users; follows it across restarts with {@link #at}. */
public final class BridgeClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private volatile URI base;

  public BridgeClient(URI base) {
    this.base = base;
  }

  /** Talks to a restarted bridge from now on. */
  public void at(URI value) {
    base = value;
  }

  public HttpResponse<byte[]> send(String user, String method, String path, byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .header("Authorization", "Bearer " + BridgeFixture.TOKENS.get(user))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public JsonNode json(String user, String method, String path, byte[] body) throws Exception {
    return JSON.readTree(send(user, method, path, body).body());
  }

  /** Submits {@code notebook} as {@code user} and has every provider of {@code dataset} (pat: insurance) approve it. */
  public String submitApproved(String user, String dataset, byte[] notebook) throws Exception {
    HttpResponse<byte[]> submitted = send(user, "POST", "v1/jobs?dataset=" + dataset, notebook);
    if (submitted.statusCode() != 201) {
      throw new AssertionError("submit answered " + submitted.statusCode() + ": " + new String(submitted.body()));
    }
    String id = JSON.readTree(submitted.body()).path("id").asText();
    HttpResponse<byte[]> approved = send("pat", "POST", "v1/jobs/" + id + "/approve", "{}".getBytes());
    if (approved.statusCode() != 200) {
      throw new AssertionError("approve answered " + approved.statusCode() + ": " + new String(approved.body()));
    }
    return id;
  }

  /**
   * Downloads what a job's owner may once it is released — report.json, the notebook and every output — into
   * {@code folder}, laid out as a job folder, so that {@code dcr verify} can check it.
   */
  public void downloadJobFolder(String user, String id, Path folder) throws Exception {
    Files.createDirectories(folder);
    Files.write(folder.resolve("report.json"), ok(send(user, "GET", "v1/jobs/" + id + "/report", null)));
    Files.write(folder.resolve("notebook.ipynb"), ok(send(user, "GET", "v1/jobs/" + id + "/notebook", null)));
    for (JsonNode output : json(user, "GET", "v1/jobs/" + id + "/outputs", null)) {
      String path = output.path("path").asText();
      Path file = folder.resolve(path);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, ok(send(user, "GET", "v1/jobs/" + id + "/outputs/download?path="
          + URLEncoder.encode(path, StandardCharsets.UTF_8), null)));
    }
  }

  private static byte[] ok(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      throw new AssertionError(response.uri() + " answered " + response.statusCode() + ": " + new String(response.body()));
    }
    return response.body();
  }

  /** Runs {@code dcr verify} (its command-line class, in a JVM of its own) on a folder; returns its exit status and output. */
  public static VerifyRun verify(Path folder, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
        System.getProperty("java.class.path"), VerifyCommand.class.getName(), folder.toString()));
    command.addAll(List.of(options));
    Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
    String printed = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!check.waitFor(120, TimeUnit.SECONDS)) {
      check.destroyForcibly();
      throw new AssertionError("dcr verify did not end: " + printed);
    }
    return new VerifyRun(check.exitValue(), printed);
  }

  /** What {@code dcr verify} said. */
  public record VerifyRun(int exitStatus, String output) {}

  /** Every job, by id, as the auditor sees them. */
  public Map<String, JsonNode> jobs() throws Exception {
    Map<String, JsonNode> jobs = new HashMap<>();
    json("audrey", "GET", "v1/jobs", null).forEach(job -> jobs.put(job.path("id").asText(), job));
    return jobs;
  }

  /** Waits until one of {@code ids} matches, polling often enough to catch a step that lasts a second. */
  public void awaitAny(List<String> ids, String what, Predicate<JsonNode> condition, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    Map<String, JsonNode> jobs = Map.of();
    while (System.nanoTime() < deadline) {
      try {
        jobs = jobs();
        for (String id : ids) {
          if (condition.test(jobs.get(id))) {
            return;
          }
        }
      } catch (java.io.IOException restarting) {
        // the bridge is not listening yet
      }
      Thread.sleep(20);
    }
    throw new AssertionError("waited in vain for " + what + ": " + jobs.values());
  }

  /** Waits until job {@code id} is in {@code state}; fails with its platform log if it ends elsewhere. */
  public JsonNode awaitState(String id, String state, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    JsonNode job = null;
    while (System.nanoTime() < deadline) {
      job = json("audrey", "GET", "v1/jobs/" + id, null);
      if (job.path("state").asText().equals(state)) {
        return job;
      }
      if (job.path("final").asBoolean()) {
        break;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " is " + job + ", not " + state + "; its log:\n"
        + new String(send("audrey", "GET", "v1/jobs/" + id + "/logs", null).body()));
  }
}
