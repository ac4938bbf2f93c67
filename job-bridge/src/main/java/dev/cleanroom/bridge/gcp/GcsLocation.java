package dev.cleanroom.bridge.gcp;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * A place in Cloud Storage, {@code gs://BUCKET} or {@code gs://BUCKET/PREFIX}: a bucket and a prefix of object
 * names ({@code ""}, or {@code "jobs/"} ending in one '/'). The bridge keeps a deployment's jobs under one prefix,
 * so that one bucket may serve several bridges.
 */
public record GcsLocation(String bucket, String prefix) {
  // Cloud Storage's bucket naming rules: 3 to 63 characters (dotted names up to 222), lower-case letters, digits,
  // '-', '_' and '.', beginning and ending with a letter or digit.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");
  private static final String FORM = "use gs://BUCKET or gs://BUCKET/PREFIX, e.g. gs://clean-room-prod-jobs";

  public GcsLocation {
    if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.length() > 63 && !bucket.contains(".")) {
      throw new IllegalArgumentException("'" + bucket + "' is not a Cloud Storage bucket name (lower-case letters,"
          + " digits, '-', '_', '.'); " + FORM);
    }
    if (!prefix.isEmpty()) {
      GcsStorage.checkKey(prefix.substring(0, prefix.length() - (prefix.endsWith("/") ? 1 : 0)));
      prefix = prefix.endsWith("/") ? prefix : prefix + "/";
    }
  }

  /** Parses {@code gs://BUCKET[/PREFIX]}; anything else is refused with the form to use. */
  public static GcsLocation parse(String location) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("'" + location + "' is not a URI: " + FORM);
    }
    return of(uri);
  }

  /** The location a {@code gs:} URI names; a URI with user, port, query or fragment is refused. */
  public static GcsLocation of(URI uri) {
    if (!"gs".equals(uri.getScheme()) || uri.getRawAuthority() == null || uri.getRawUserInfo() != null
        || uri.getPort() != -1 || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("'" + uri + "' is not a Cloud Storage location: " + FORM);
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String prefix = path.replaceFirst("^/", "");
    try {
      return new GcsLocation(uri.getAuthority(), prefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + uri + "' is not a Cloud Storage location: " + e.getMessage()
          + (e.getMessage().contains(FORM) ? "" : "; " + FORM), e);
    }
  }

  /** The object name of a storage key here. */
  String objectName(String key) {
    return prefix + key;
  }

  @Override
  public String toString() {
    return "gs://" + bucket + "/" + prefix;
  }
}
