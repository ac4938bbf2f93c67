package dev.cleanroom.kernel.jobs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.cleanroom.kernel.review.CodeReview;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The notebook {@code %submit} sends: its bytes exactly as saved on disk (their sha256 is what the
 * attestation report names), and the datasets its code opens.
 *
 * @param path where it was read
 * @param bytes the file's bytes
 * @param savedAt the file's last modification, so the scientist sees which save was submitted
 */
public record NotebookFile(Path path, byte[] bytes, Instant savedAt) {
  /** JupyterLab tells a kernel its notebook's path in this variable (jupyter_server 2+). */
  public static final String SESSION_VARIABLE = "JPY_SESSION_NAME";
  private static final Pattern DATASET_CALL = Pattern.compile("Dcr\\s*\\.\\s*dataset\\s*\\(\\s*\"([^\"]+)\"\\s*\\)");

  /**
   * Reads the notebook named on the magic line, else the one JupyterLab runs this kernel for.
   *
   * @param named the path given to {@code %submit}, relative to the kernel's working directory
   */
  public static NotebookFile read(Optional<String> named, Map<String, String> env) {
    Path path = named.map(Path::of)
        .or(() -> Optional.ofNullable(env.get(SESSION_VARIABLE)).filter(p -> p.endsWith(".ipynb")).map(Path::of))
        .orElseThrow(() -> new JobBridgeException("unknown_notebook", "The kernel does not know which notebook it"
            + " runs (JupyterLab sets " + SESSION_VARIABLE + "; it is not set here). Name it: %submit my-notebook.ipynb"));
    if (!path.getFileName().toString().endsWith(".ipynb")) {
      throw new JobBridgeException("unknown_notebook", "%submit sends a notebook file (.ipynb); got " + path);
    }
    try {
      return new NotebookFile(path, Files.readAllBytes(path), Files.getLastModifiedTime(path).toInstant());
    } catch (IOException e) {
      throw new JobBridgeException("unknown_notebook", "Tried to read the notebook " + path + " to submit it but failed"
          + " because: " + e + ". Save it first (Ctrl-S), or name it: %submit my-notebook.ipynb");
    }
  }

  public String fileName() {
    return path.getFileName().toString();
  }

  /**
   * The datasets the notebook's code cells open with {@code Dcr.dataset("name")}: what the job reads,
   * unless the scientist names them on the magic line.
   */
  public SortedSet<String> datasetsOpened() {
    SortedSet<String> names = new TreeSet<>();
    for (CodeReview cell : review()) {
      Matcher matcher = DATASET_CALL.matcher(cell.source());
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  /** Each code cell, numbered among all cells from 1, with what JShell parses otherwise than it reads. */
  public List<CodeReview> review() {
    JsonElement cells;
    try {
      cells = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject().get("cells");
    } catch (JsonParseException | IllegalStateException e) {
      throw new JobBridgeException("invalid_notebook", path + " is not a notebook (nbformat JSON): " + e.getMessage());
    }
    if (cells == null || !cells.isJsonArray()) {
      throw new JobBridgeException("invalid_notebook", path + " is not a notebook: it has no list of cells");
    }
    List<CodeReview> code = new ArrayList<>();
    JsonArray all = cells.getAsJsonArray();
    for (int i = 0; i < all.size(); i++) {
      JsonObject cell = all.get(i).getAsJsonObject();
      if ("code".equals(cell.has("cell_type") ? cell.get("cell_type").getAsString() : "")) {
        code.add(CodeReview.of(i + 1, source(cell.get("source"))));
      }
    }
    return code;
  }

  private static String source(JsonElement source) {
    if (source == null) {
      return "";
    }
    if (source.isJsonArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonElement line : (JsonArray) source) {
        text.append(line.getAsString());
      }
      return text.toString();
    }
    return source.getAsString();
  }
}
