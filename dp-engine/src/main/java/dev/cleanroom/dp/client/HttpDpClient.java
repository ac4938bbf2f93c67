package dev.cleanroom.dp.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.mechanisms.DpQuery;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link DpClient} of the notebook SDK: every call is one request to the DP query service, which
 * holds the data and the rules. Refusals come back as {@link DpClientException} with the service's code,
 * HTTP status and, for {@code budget_exhausted}, the budget left.
 *
 * <p>A query is sent once and never retried: if the connection fails after the service charged it, the
 * charge stands without an answer (code {@code service_unavailable}, status 0), which is the safe way to
 * lose one.
 */
public final class HttpDpClient implements DpClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final HttpClient http;

  private HttpDpClient(URI base, String token) {
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  /** A client of the service at {@code base} (such as {@code http://127.0.0.1:8470/}) acting for {@code token}'s user. */
  public static HttpDpClient create(URI base, String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("The DP query service needs a bearer token; none was given");
    }
    return new HttpDpClient(base, token);
  }

  @Override
  public List<DatasetInfo> datasets() {
    return read(send(get("v1/datasets")), new TypeReference<>() {});
  }

  @Override
  public BudgetStatus budget(String dataset) {
    return read(send(get(datasetPath(dataset) + "/budget")), new TypeReference<>() {});
  }

  @Override
  public <T> ChargedAnswer<T> query(String dataset, DpQuery<T> query, Map<String, String> where) {
    return WireFormat.answer(ask(dataset, WireFormat.query(query, where, Optional.empty())), query);
  }

  @Override
  public <T> GroupedAnswer<T> queryByGroup(String dataset, DpQuery<T> query, Map<String, String> where, String groupBy) {
    return WireFormat.grouped(ask(dataset, WireFormat.query(query, where, Optional.of(groupBy))), query);
  }

  private JsonNode ask(String dataset, JsonNode body) {
    HttpRequest request = request(datasetPath(dataset) + "/queries")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(WireFormat.write(body)))
        .build();
    return WireFormat.tree(send(request));
  }

  @Override
  public String view(String dataset, String view) {
    return new String(send(get(datasetPath(dataset) + "/views/" + encode(view))), StandardCharsets.UTF_8);
  }

  /** Every charge on a dataset, oldest first; the service allows it to the dataset's provider only. */
  public List<Charge> audit(String dataset) {
    return read(send(get(datasetPath(dataset) + "/audit")), new TypeReference<>() {});
  }

  private static String datasetPath(String dataset) {
    return "v1/datasets/" + encode(dataset);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json, text/csv");
  }

  private HttpRequest get(String path) {
    return request(path).GET().build();
  }

  /** The body of a 2xx answer; anything else becomes the service's refusal. */
  private byte[] send(HttpRequest request) {
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unavailable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted");
    }
    if (response.statusCode() / 100 != 2) {
      throw WireFormat.error(response.statusCode(), response.body());
    }
    return response.body();
  }

  private DpClientException unavailable(String reason) {
    return new DpClientException("service_unavailable", 0, "Tried to reach the DP query service at " + base
        + " but failed because: " + reason + ". Check that it runs (./dcr demo starts it); a query sent just"
        + " before this may have been charged without an answer");
  }

  private static <T> T read(byte[] body, TypeReference<T> type) {
    try {
      return WireFormat.read(body, type);
    } catch (IOException e) {
      throw new DpClientException("unexpected_response", 200,
          "The DP query service sent a body this client cannot read (" + e.getMessage() + "); are both the same version?");
    }
  }
}
