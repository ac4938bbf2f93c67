package dev.cleanroom.attestation.claims;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The claims of a Confidential Space attestation token, in the shape Google signs them. Reading is
 * lenient — a missing or mistyped claim reads as empty — because the verifier reports each check on
 * its own; writing ({@link #toMap()}) is what the simulator signs.
 *
 * <p>Strings are empty and lists empty when absent; time claims and the booleans are {@link Optional}.
 */
public record AttestationClaims(
    String issuer,
    List<String> audiences,
    String subject,
    Optional<Instant> issuedAt,
    Optional<Instant> notBefore,
    Optional<Instant> expiresAt,
    List<String> nonces,
    String hardwareModel,
    String softwareName,
    List<String> softwareVersion,
    String debugStatus,
    Optional<Boolean> secureBoot,
    Optional<Long> oemId,
    List<String> serviceAccounts,
    List<String> supportAttributes,
    ContainerClaims container,
    Optional<GceClaims> gce) {

  public AttestationClaims {
    issuer = ContainerClaims.orEmpty(issuer);
    subject = ContainerClaims.orEmpty(subject);
    hardwareModel = ContainerClaims.orEmpty(hardwareModel);
    softwareName = ContainerClaims.orEmpty(softwareName);
    debugStatus = ContainerClaims.orEmpty(debugStatus);
    audiences = List.copyOf(audiences);
    nonces = List.copyOf(nonces);
    softwareVersion = List.copyOf(softwareVersion);
    serviceAccounts = List.copyOf(serviceAccounts);
    supportAttributes = List.copyOf(supportAttributes);
  }

  /** Reads claims from a decoded JWT payload (JSON numbers as {@link Number}, arrays as {@link List}). */
  public static AttestationClaims fromMap(Map<String, Object> claims) {
    Map<String, Object> submods = object(claims.get("submods"));
    Map<String, Object> container = object(submods.get("container"));
    Map<String, Object> space = object(submods.get("confidential_space"));
    Object gce = submods.get("gce");
    Map<String, String> env = new LinkedHashMap<>();
    object(container.get("env")).forEach((k, v) -> {
      if (v instanceof String s) {
        env.put(k, s);
      }
    });
    return new AttestationClaims(
        string(claims.get("iss")),
        stringOrStrings(claims.get("aud")),
        string(claims.get("sub")),
        instant(claims.get("iat")),
        instant(claims.get("nbf")),
        instant(claims.get("exp")),
        stringOrStrings(claims.get("eat_nonce")),
        string(claims.get("hwmodel")),
        string(claims.get("swname")),
        strings(claims.get("swversion")),
        string(claims.get("dbgstat")),
        claims.get("secboot") instanceof Boolean b ? Optional.of(b) : Optional.empty(),
        claims.get("oemid") instanceof Number n && n.doubleValue() == n.longValue() ? Optional.of(n.longValue()) : Optional.empty(),
        strings(claims.get("google_service_accounts")),
        strings(space.get("support_attributes")),
        new ContainerClaims(
            string(container.get("image_reference")),
            string(container.get("image_digest")),
            string(container.get("image_id")),
            string(container.get("restart_policy")),
            env,
            strings(container.get("args"))),
        gce instanceof Map<?, ?>
            ? Optional.of(gce(object(gce)))
            : Optional.empty());
  }

  private static GceClaims gce(Map<String, Object> gce) {
    return new GceClaims(
        string(gce.get("zone")),
        string(gce.get("project_id")),
        string(gce.get("project_number")),
        string(gce.get("instance_name")),
        string(gce.get("instance_id")));
  }

  /**
   * The claims as a JWT payload. A single nonce is written as a bare string and several as an array,
   * as Google does; absent optional claims are left out.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("iss", issuer);
    m.put("aud", audiences.size() == 1 ? audiences.get(0) : audiences);
    m.put("sub", subject);
    issuedAt.ifPresent(t -> m.put("iat", t.getEpochSecond()));
    notBefore.ifPresent(t -> m.put("nbf", t.getEpochSecond()));
    expiresAt.ifPresent(t -> m.put("exp", t.getEpochSecond()));
    if (!nonces.isEmpty()) {
      m.put("eat_nonce", nonces.size() == 1 ? nonces.get(0) : nonces);
    }
    secureBoot.ifPresent(b -> m.put("secboot", b));
    oemId.ifPresent(id -> m.put("oemid", id));
    m.put("hwmodel", hardwareModel);
    m.put("swname", softwareName);
    m.put("swversion", softwareVersion);
    m.put("dbgstat", debugStatus);
    m.put("google_service_accounts", serviceAccounts);
    Map<String, Object> containerMap = new LinkedHashMap<>();
    containerMap.put("image_reference", container.imageReference());
    containerMap.put("image_digest", container.imageDigest());
    containerMap.put("restart_policy", container.restartPolicy());
    containerMap.put("image_id", container.imageId());
    containerMap.put("env", container.env());
    containerMap.put("args", container.args());
    Map<String, Object> submods = new LinkedHashMap<>();
    submods.put("confidential_space", Map.of("support_attributes", supportAttributes));
    submods.put("container", containerMap);
    gce.ifPresent(g -> {
      Map<String, Object> gm = new LinkedHashMap<>();
      gm.put("zone", g.zone());
      gm.put("project_id", g.projectId());
      gm.put("project_number", g.projectNumber());
      gm.put("instance_name", g.instanceName());
      gm.put("instance_id", g.instanceId());
      submods.put("gce", gm);
    });
    m.put("submods", submods);
    return m;
  }

  private static String string(Object o) {
    return o instanceof String s ? s : "";
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> list) {
      for (Object e : list) {
        if (e instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** {@code aud} and {@code eat_nonce} may be a bare string or an array of strings. */
  private static List<String> stringOrStrings(Object o) {
    return o instanceof String s ? List.of(s) : strings(o);
  }

  private static Optional<Instant> instant(Object o) {
    if (o instanceof Number n) {
      return Optional.of(Instant.ofEpochSecond(n.longValue()));
    }
    if (o instanceof java.util.Date d) {
      return Optional.of(d.toInstant());
    }
    return Optional.empty();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object o) {
    return o instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }
}
