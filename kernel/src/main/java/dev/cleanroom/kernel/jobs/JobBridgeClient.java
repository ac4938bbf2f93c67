package dev.cleanroom.kernel.jobs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job bridge as the kernel's magics use it: submit the notebook, follow the caller's jobs, fetch
 * released outputs. Speaks the bridge's REST contract ({@code /v1/jobs...}) with the scientist's token
 * (under JupyterHub: the single-user server's hub token, which the bridge checks with the hub).
 */
public final class JobBridgeClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /** One job as the bridge describes it; {@code finished} means it will not change state again. */
  public record Job(String id, String name, String state, String reason, List<String> datasets, String submittedAt,
      List<String> approvalsPending, List<String> releasesPending, boolean hasReport, boolean finished) {}

  /** A comment between the job's scientist and its providers; {@code output} is empty for one on the job. */
  public record Comment(String author, String output, String body, String at) {}

  /** One output file of a job, by its path in the job folder such as {@code outputs/metrics.json}. */
  public record OutputFile(String path, long bytes, String sha256) {}

  private final URI base;
  private final String token;
  private final HttpClient http;

  /**
   * @param base the bridge's root, such as {@code http://127.0.0.1:8000/services/bridge}
   * @param token the caller's token, sent as {@code Authorization: Bearer ...}
   */
  public JobBridgeClient(URI base, String token) {
    String root = base.toString().replaceAll("/+$", "");
    this.base = URI.create(root + "/");
    this.token = token;
    // HTTP/1.1: the default HTTP/2 asks plain-HTTP servers to upgrade (h2c), which JupyterHub's proxy answers by
    // closing the connection.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
  }

  /** The bridge named by {@code DCR_BRIDGE_URL} with the token {@code DCR_TOKEN}, if both are set. */
  public static Optional<JobBridgeClient> fromEnvironment(Map<String, String> env) {
    String url = env.getOrDefault("DCR_BRIDGE_URL", "");
    String token = env.getOrDefault("DCR_TOKEN", "");
    if (url.isBlank() || token.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(new JobBridgeClient(URI.create(url), token));
  }

  /** Submits a notebook file's bytes, exactly as saved, reading the given datasets. */
  public Job submit(byte[] notebook, String fileName, List<String> datasets) {
    StringBuilder query = new StringBuilder("v1/jobs?name=").append(encode(fileName));
    datasets.forEach(d -> query.append("&dataset=").append(encode(d)));
    HttpRequest request = request(query.toString())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(notebook))
        .build();
    return job(json(send(request, "submit the notebook")).getAsJsonObject());
  }

  /** The caller's jobs, newest first. */
  public List<Job> jobs() {
    JsonArray array = json(send(request("v1/jobs").GET().build(), "list your jobs")).getAsJsonArray();
    List<Job> jobs = new ArrayList<>();
    array.forEach(element -> jobs.add(job(element.getAsJsonObject())));
    return jobs;
  }

  public Job job(String id) {
    return job(json(send(request("v1/jobs/" + encode(id)).GET().build(), "read job " + id)).getAsJsonObject());
  }

  /** The job's outputs; the bridge answers them to the owner once the providers released them. */
  public List<OutputFile> outputs(String id) {
    JsonArray array = json(send(request("v1/jobs/" + encode(id) + "/outputs").GET().build(),
        "list the outputs of job " + id)).getAsJsonArray();
    List<OutputFile> files = new ArrayList<>();
    array.forEach(element -> {
      JsonObject o = element.getAsJsonObject();
      files.add(new OutputFile(o.get("path").getAsString(), o.get("bytes").getAsLong(), o.get("sha256").getAsString()));
    });
    return files;
  }

  /** The job's comments the caller may read, oldest first. */
  public List<Comment> comments(String id) {
    JsonArray array = json(send(request("v1/jobs/" + encode(id) + "/comments").GET().build(),
        "read the comments on job " + id)).getAsJsonArray();
    List<Comment> comments = new ArrayList<>();
    array.forEach(element -> {
      JsonObject o = element.getAsJsonObject();
      comments.add(new Comment(o.get("author").getAsString(), o.has("output") ? o.get("output").getAsString() : "",
          o.get("body").getAsString(), o.get("at").getAsString()));
    });
    return comments;
  }

  public byte[] download(String id, String path) {
    return send(request("v1/jobs/" + encode(id) + "/outputs/download?path=" + encode(path)).GET().build(),
        "download " + path + " of job " + id);
  }

  /** The job's attestation report ({@code report.json}). */
  public byte[] report(String id) {
    return send(request("v1/jobs/" + encode(id) + "/report").GET().build(), "download the report of job " + id);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private byte[] send(HttpRequest request, String what) {
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException | HttpTimeoutException e) {
      throw new JobBridgeException("bridge_unreachable", "Tried to " + what + " but the job bridge at " + base
          + " did not answer (" + e.getClass().getSimpleName() + "); check that it is running, or ask your operator.");
    } catch (IOException e) {
      throw new JobBridgeException("bridge_unreachable", "Tried to " + what + " at the job bridge " + base
          + " but failed because: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobBridgeException("interrupted", "Stopped while trying to " + what + ".");
    }
    if (response.statusCode() / 100 == 2) {
      return response.body();
    }
    throw refusal(response, what);
  }

  /** The bridge's errors are {"code", "message"}; its message says what to do, so it is shown as is. */
  private JobBridgeException refusal(HttpResponse<byte[]> response, String what) {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    try {
      JsonObject error = JsonParser.parseString(body).getAsJsonObject();
      if (error.has("code") && error.has("message")) {
        return new JobBridgeException(error.get("code").getAsString(), "The job bridge refused to " + what + ": "
            + error.get("message").getAsString());
      }
    } catch (JsonParseException | IllegalStateException e) {
      // Not the bridge's error shape (a proxy's page, say): report the status below.
    }
    return new JobBridgeException("bridge_error", "Tried to " + what + " but the job bridge at " + base
        + " answered HTTP " + response.statusCode() + (response.statusCode() == 404
            ? "; is DCR_BRIDGE_URL the bridge's root?" : "."));
  }

  private static JsonElement json(byte[] body) {
    try {
      return JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      throw new JobBridgeException("bridge_error", "The job bridge answered something that is not JSON: "
          + e.getMessage());
    }
  }

  private static Job job(JsonObject o) {
    List<String> datasets = new ArrayList<>();
    o.getAsJsonArray("datasets").forEach(d -> datasets.add(d.getAsJsonObject().get("name").getAsString()));
    return new Job(o.get("id").getAsString(), o.get("name").getAsString(), o.get("state").getAsString(),
        o.get("reason").getAsString(), datasets, o.get("submittedAt").getAsString(),
        strings(o.getAsJsonArray("approvalsPending")), strings(o.getAsJsonArray("releasesPending")),
        o.get("hasReport").getAsBoolean(), o.get("final").getAsBoolean());
  }

  private static List<String> strings(JsonArray array) {
    List<String> values = new ArrayList<>();
    array.forEach(e -> values.add(e.getAsString()));
    return List.copyOf(values);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
