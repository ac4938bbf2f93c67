package dev.cleanroom.bridge.gcp;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Artifact Registry Docker repository, {@code LOCATION-docker.pkg.dev/PROJECT/REPOSITORY}: the bridge
 * pushes each job's image there and Confidential Space pulls it by digest as the workload service account.
 *
 * <p>The push itself is the image builder's (Jib's {@code RegistryImage}, which keeps the digest the build
 * recorded); this class names the images and turns Application Default Credentials into the registry login
 * Artifact Registry accepts: user {@code oauth2accesstoken}, an OAuth access token as password.
 */
public record ArtifactRegistry(String host, String project, String repository) {
  private static final Pattern PATH = Pattern.compile("([a-z0-9-]+-docker\\.pkg\\.dev)/([a-z][a-z0-9-]{4,28}[a-z0-9])/([a-z][a-z0-9-]*)");
  private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

  public ArtifactRegistry {
    if (!PATH.matcher(host + "/" + project + "/" + repository).matches()) {
      throw new IllegalArgumentException("'" + host + "/" + project + "/" + repository + "' is not an Artifact Registry"
          + " Docker repository like europe-west4-docker.pkg.dev/my-project/cleanroom");
    }
  }

  /** {@code LOCATION-docker.pkg.dev/PROJECT/REPOSITORY}, as {@code gcloud artifacts repositories describe} shows it. */
  public static ArtifactRegistry parse(String path) {
    Matcher matcher = PATH.matcher(path.strip().replaceFirst("/+$", ""));
    if (!matcher.matches()) {
      throw new IllegalArgumentException("'" + path + "' is not an Artifact Registry Docker repository like"
          + " europe-west4-docker.pkg.dev/my-project/cleanroom");
    }
    return new ArtifactRegistry(matcher.group(1), matcher.group(2), matcher.group(3));
  }

  /** Where an image of this name goes, without tag or digest: {@code HOST/PROJECT/REPOSITORY/NAME}. */
  public String image(String name) {
    if (!name.matches("[a-z0-9]+(?:[._/-][a-z0-9]+)*")) {
      throw new IllegalArgumentException("'" + name + "' is not an image name (lower-case letters, digits, . _ - /)");
    }
    return host + "/" + project + "/" + repository + "/" + name;
  }

  /** The reference Confidential Space pulls: the image by its manifest digest. */
  public String byDigest(String name, String digest) {
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("'" + digest + "' is not a sha256 image digest");
    }
    return image(name) + "@" + digest;
  }

  /** A login for this registry from Application Default Credentials. */
  public RegistryLogin login() throws IOException {
    return login(GoogleCredentials.getApplicationDefault().createScoped(SCOPES));
  }

  /** A login for this registry from {@code credentials}, refreshed first if their token is near expiry. */
  public RegistryLogin login(GoogleCredentials credentials) throws IOException {
    credentials.refreshIfExpired();
    AccessToken token = credentials.getAccessToken();
    if (token == null) {
      throw new IOException("Tried to log in to " + host + " but failed because the credentials gave no access token;"
          + " run 'gcloud auth application-default login' or give the bridge a service account");
    }
    return new RegistryLogin("oauth2accesstoken", token.getTokenValue());
  }

  /** A user name and password for a registry; {@link #toString()} never shows the password. */
  public record RegistryLogin(String username, String password) {
    @Override
    public String toString() {
      return "RegistryLogin[username=" + username + ", password=(hidden)]";
    }
  }
}
