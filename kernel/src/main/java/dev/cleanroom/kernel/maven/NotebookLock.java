package dev.cleanroom.kernel.maven;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The lock a saved notebook carries: every jar {@code %maven} added, by coordinates and sha256, read from the outputs
 * of MIME type {@link #MIME_TYPE} (each {@code %maven} output shows the session's whole lock so far; the notebook's
 * lock is their union). The job bridge, the image build, the stage-2 kernel and {@code dcr verify --rebuild} all read
 * it here, so they agree on which jars a notebook needs and where each sits.
 *
 * <p>Invariant: every coordinate part is a plain name ({@code [A-Za-z0-9_][A-Za-z0-9._-]*}), so a jar's path in a
 * repository and its file name in the image stay inside their folders whatever the notebook says; one coordinate has
 * one sha256.
 */
public record NotebookLock(List<LockedJar> jars) {
  /** The MIME type of {@code %maven}'s output that carries the lock; Jupyter saves it in the notebook file. */
  public static final String MIME_TYPE = "application/vnd.dcr.maven-lock.v1+json";

  private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** One jar: {@code group:artifact:extension[:classifier]:version} as Maven's resolver writes it, and its sha256. */
  public record LockedJar(String coordinates, String sha256) {
    public LockedJar {
      if (!SHA256.matcher(String.valueOf(sha256)).matches()) {
        throw new IllegalArgumentException("the lock's sha256 of " + coordinates + " is not 64 lower-case hex digits");
      }
      parts(coordinates);
    }

    public String groupId() {
      return parts(coordinates)[0];
    }

    /** Where the jar is in a Maven 2 repository, relative to its root. */
    public String repositoryPath() {
      String[] p = parts(coordinates);
      return p[0].replace('.', '/') + "/" + p[1] + "/" + p[p.length - 1] + "/" + baseName(p);
    }

    /** The jar's file name in the image's library folder: its group, then its name in the repository. */
    public String fileName() {
      return parts(coordinates)[0] + "_" + baseName(parts(coordinates));
    }

    /** The POM beside the jar in a Maven 2 repository (where its licence is stated). */
    public String pomPath() {
      String[] p = parts(coordinates);
      return p[0].replace('.', '/') + "/" + p[1] + "/" + p[p.length - 1] + "/" + p[1] + "-" + p[p.length - 1] + ".pom";
    }

    private static String baseName(String[] p) {
      String classifier = p.length == 5 ? "-" + p[3] : "";
      return p[1] + "-" + p[p.length - 1] + classifier + "." + p[2];
    }
  }

  public NotebookLock {
    jars = List.copyOf(jars);
  }

  /** {@code group:artifact:version} ({@code %maven}'s words) or the resolver's 4- and 5-part forms, split. */
  static String[] parts(String coordinates) {
    String[] p = String.valueOf(coordinates).split(":", -1);
    if (p.length == 3) {
      p = new String[] {p[0], p[1], "jar", p[2]};
    }
    if (p.length != 4 && p.length != 5) {
      throw new IllegalArgumentException("'" + printable(coordinates) + "' in the lock is not Maven coordinates"
          + " (group:artifact:extension[:classifier]:version)");
    }
    for (String part : p) {
      if (!PART.matcher(part).matches() || part.contains("..")) {
        throw new IllegalArgumentException("'" + printable(coordinates) + "' in the lock has a part that is not a plain"
            + " name (letters, digits, '.', '_', '-')");
      }
    }
    return p;
  }

  /** The file name in the image of the jar of {@code %maven}'s coordinates ({@code group:artifact:version}). */
  public static String fileNameOf(String coordinates) {
    String[] p = parts(coordinates);
    return new LockedJar(String.join(":", p), "0".repeat(64)).fileName();
  }

  /**
   * The lock of a notebook (nbformat 4 JSON): the union of its lock outputs, sorted by coordinates; empty when it has
   * none.
   *
   * @throws IllegalArgumentException when the notebook is not JSON, a lock is malformed, or two locks give one jar
   *     two sha256s; the message says which
   */
  public static NotebookLock of(byte[] notebook) {
    JsonObject root;
    try {
      root = JsonParser.parseString(new String(notebook, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException("the notebook is not a JSON object, so its lock cannot be read");
    }
    Map<String, String> jars = new TreeMap<>();
    for (JsonElement cell : array(root, "cells")) {
      if (!cell.isJsonObject()) {
        continue;
      }
      for (JsonElement output : array(cell.getAsJsonObject(), "outputs")) {
        JsonElement data = output.isJsonObject() ? output.getAsJsonObject().get("data") : null;
        JsonElement lock = data != null && data.isJsonObject() ? data.getAsJsonObject().get(MIME_TYPE) : null;
        if (lock != null) {
          read(lock, jars);
        }
      }
    }
    return new NotebookLock(jars.entrySet().stream().map(e -> new LockedJar(e.getKey(), e.getValue())).toList());
  }

  private static void read(JsonElement lock, Map<String, String> jars) {
    try {
      for (JsonElement artifact : array(lock.getAsJsonObject(), "artifacts")) {
        JsonObject a = artifact.getAsJsonObject();
        LockedJar jar = new LockedJar(a.get("coordinates").getAsString(), a.get("sha256").getAsString());
        String earlier = jars.putIfAbsent(jar.coordinates(), jar.sha256());
        if (earlier != null && !earlier.equals(jar.sha256())) {
          throw new IllegalArgumentException("the notebook's locks give " + jar.coordinates() + " two sha256s, " + earlier
              + " and " + jar.sha256() + "; run its %maven cells again in one session, save, and submit again");
        }
      }
    } catch (IllegalStateException | NullPointerException | UnsupportedOperationException e) {
      throw new IllegalArgumentException("a lock output of the notebook is not {\"artifacts\": [{\"coordinates\": ..., "
          + "\"sha256\": ...}]}; run its %maven cells again, save, and submit again");
    }
  }

  private static Iterable<JsonElement> array(JsonObject object, String name) {
    JsonElement value = object.get(name);
    return value != null && value.isJsonArray() ? value.getAsJsonArray() : List.of();
  }

  public boolean isEmpty() {
    return jars.isEmpty();
  }

  /**
   * The lock's hash, which the job manifest names: sha256 of one line {@code coordinates sha256} per jar, sorted by
   * coordinates, each ended by a line feed.
   */
  public String sha256() {
    StringBuilder text = new StringBuilder();
    jars.forEach(jar -> text.append(jar.coordinates()).append(' ').append(jar.sha256()).append('\n'));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }

  private static String printable(String text) {
    String cut = text == null ? "" : text.length() > 80 ? text.substring(0, 80) + "…" : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
