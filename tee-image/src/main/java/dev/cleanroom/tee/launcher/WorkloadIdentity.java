package dev.cleanroom.tee.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * Access tokens for the provider's data, from this VM's attestation token through workload identity federation:
 * the Security Token Service exchanges the launcher's default token (audience {@code https://sts.googleapis.com})
 * for a federated access token of the provider's pool, which the pool's attribute condition grants only to
 * approved images; optionally that token impersonates a service account the provider named.
 *
 * <p>Invariant: tokens go only to {@link CloudEndpoints} and never into a message or the log.
 */
final class WorkloadIdentity {
  static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
  static final String SUBJECT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
  static final String REQUESTED_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
  static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CloudHttp http;
  private final CloudEndpoints endpoints;
  private final Supplier<String> attestationToken;
  private final Map<String, String> tokens = new HashMap<>();

  /** @param attestationToken the launcher's default token, read when a token is first needed */
  WorkloadIdentity(CloudHttp http, CloudEndpoints endpoints, Supplier<String> attestationToken) {
    this.http = http;
    this.endpoints = endpoints;
    this.attestationToken = attestationToken;
  }

  /**
   * An access token for the pool provider {@code audience} ({@code //iam.googleapis.com/projects/N/locations/global/
   * workloadIdentityPools/POOL/providers/PROVIDER}), as {@code serviceAccount} when given; made once per run.
   */
  String accessToken(String audience, Optional<String> serviceAccount) throws IOException {
    String key = audience + " " + serviceAccount.orElse("");
    String cached = tokens.get(key);
    if (cached != null) {
      return cached;
    }
    String federated = exchange(audience);
    String token = serviceAccount.isPresent() ? impersonate(federated, serviceAccount.get()) : federated;
    tokens.put(key, token);
    return token;
  }

  private String exchange(String audience) throws IOException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", GRANT_TYPE);
    form.put("audience", audience);
    form.put("scope", SCOPE);
    form.put("requested_token_type", REQUESTED_TOKEN_TYPE);
    form.put("subject_token_type", SUBJECT_TOKEN_TYPE);
    form.put("subject_token", attestationToken.get());
    StringJoiner body = new StringJoiner("&");
    form.forEach((name, value) -> body.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
    HttpRequest request = CloudHttp.request(CloudEndpoints.at(endpoints.sts(), "/v1/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    // 400 (invalid_grant: the attribute condition refuses) and 403 while the provider's new grant propagates.
    return field(send(request, "exchange the attestation token at the Security Token Service", Set.of(400, 403)), "access_token",
        "the Security Token Service");
  }

  private String impersonate(String federated, String serviceAccount) throws IOException {
    if (!serviceAccount.matches("[^@/\\s]+@[^@/\\s]+")) {
      throw new IOException("the job plan's service account is not an email address");
    }
    URI uri = CloudEndpoints.at(endpoints.iamCredentials(), "/v1/projects/-/serviceAccounts/"
        + URLEncoder.encode(serviceAccount, StandardCharsets.UTF_8) + ":generateAccessToken");
    HttpRequest request = CloudHttp.request(uri)
        .header("Authorization", "Bearer " + federated)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"scope\":[\"" + SCOPE + "\"]}")).build();
    return field(send(request, "act as " + serviceAccount + " through the IAM Credentials API", Set.of(403)), "accessToken",
        "the IAM Credentials API");
  }

  private String send(HttpRequest request, String what, Set<Integer> refusedUntilGranted) throws IOException {
    try {
      return http.exchangeWhileGrantPropagates(what, refusedUntilGranted,
          client -> CloudHttp.successful(client.send(request, HttpResponse.BodyHandlers.ofString())).body());
    } catch (CloudHttp.FailedStatus e) {
      throw new IOException(e.getMessage()
          + "; check the workload identity pool's attribute condition and bindings (docs/gcp.md, step 10)");
    }
  }

  private static String field(String body, String name, String from) throws IOException {
    JsonNode value;
    try {
      value = JSON.readTree(body).get(name);
    } catch (IOException e) {
      throw new IOException(from + " answered with something that is not JSON");
    }
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IOException(from + " answered without " + name);
    }
    return value.asText();
  }
}
