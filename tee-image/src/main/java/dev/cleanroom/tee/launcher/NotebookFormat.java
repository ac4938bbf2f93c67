package dev.cleanroom.tee.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import java.util.Optional;

/** The shape a notebook needs before the kernel's runner gets it: nbformat 4 JSON with well-formed cells. */
final class NotebookFormat {
  private NotebookFormat() {}

  /** Why {@code bytes} is not a runnable notebook, if it is not. */
  static Optional<String> problem(byte[] bytes) {
    JsonNode notebook;
    try {
      notebook = CanonicalJson.parse(bytes);
    } catch (IllegalArgumentException e) {
      return Optional.of("the notebook is not JSON");
    }
    if (!notebook.isObject()) {
      return Optional.of("the notebook is not a JSON object");
    }
    if (notebook.path("nbformat").asInt(-1) != 4) {
      return Optional.of("the notebook is not nbformat 4 (convert it with 'jupyter nbconvert --to notebook')");
    }
    JsonNode cells = notebook.path("cells");
    if (!cells.isArray()) {
      return Optional.of("the notebook has no list of cells");
    }
    int index = 0;
    for (JsonNode cell : cells) {
      index++;
      String type = cell.path("cell_type").asText("");
      JsonNode source = cell.path("source");
      if (!(type.equals("code") || type.equals("markdown") || type.equals("raw"))) {
        return Optional.of("cell " + index + " has no valid cell_type (code, markdown or raw)");
      }
      if (!(source.isTextual() || source.isArray() && allText(source))) {
        return Optional.of("cell " + index + " has no source text");
      }
    }
    return Optional.empty();
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode line : array) {
      if (!line.isTextual()) {
        return false;
      }
    }
    return true;
  }
}
