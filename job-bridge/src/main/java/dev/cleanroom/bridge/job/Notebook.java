package dev.cleanroom.bridge.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.kernel.review.CodeReview;
import dev.cleanroom.kernel.review.Finding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A submitted notebook: the file's bytes exactly as the scientist sent them (their sha256 is what the
 * attestation manifest names, so a scientist can check it against their own file), checked to be a
 * Jupyter notebook in format 4.
 *
 * <p>Invariant: holds only documents that are JSON objects with {@code nbformat} 4, a {@code metadata} object
 * and a {@code cells} array whose every cell has a known {@code cell_type}, a {@code source} (text or list of
 * text) and a {@code metadata} object; JSON with a duplicated member is refused, because two readers could
 * take different values from it.
 */
public final class Notebook {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final Set<String> CELL_TYPES = Set.of("code", "markdown", "raw");

  private final byte[] bytes;
  private final Sha256 sha256;
  private final int cells;
  private final List<CodeReview> review;

  private Notebook(byte[] bytes, int cells, List<CodeReview> review) {
    this.bytes = bytes;
    this.sha256 = Sha256.of(bytes);
    this.cells = cells;
    this.review = List.copyOf(review);
  }

  /**
   * Checks a submitted file.
   *
   * @throws BridgeException {@code notebook_too_large} (413) above {@code maxBytes}; {@code invalid_notebook}
   *     (400) when it is not an nbformat 4 notebook, saying what is wrong
   */
  public static Notebook parse(byte[] bytes, long maxBytes) {
    if (bytes.length > maxBytes) {
      throw new BridgeException("notebook_too_large", 413, "The notebook has " + bytes.length
          + " bytes; the limit is " + maxBytes + ". Clear its outputs (Edit → Clear Outputs of All Cells) and submit again.");
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw invalid("it is not valid JSON (" + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw invalid("it could not be read as JSON");
    }
    if (root == null || !root.isObject()) {
      throw invalid("it is not a JSON object");
    }
    JsonNode format = root.get("nbformat");
    if (format == null || !format.isIntegralNumber()) {
      throw invalid("it has no integer 'nbformat'");
    }
    if (format.asInt() != 4) {
      throw invalid("it is nbformat " + format.asText() + "; the clean room runs nbformat 4 notebooks"
          + " (save it with JupyterLab or 'jupyter nbconvert --to notebook --nbformat 4')");
    }
    JsonNode minor = root.get("nbformat_minor");
    if (minor == null || !minor.isIntegralNumber() || minor.asInt() < 0) {
      throw invalid("it has no 'nbformat_minor' (a non-negative integer)");
    }
    if (!root.path("metadata").isObject()) {
      throw invalid("it has no 'metadata' object");
    }
    JsonNode cells = root.get("cells");
    if (cells == null || !cells.isArray()) {
      throw invalid("it has no 'cells' array");
    }
    List<CodeReview> review = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      JsonNode cell = cells.get(i);
      checkCell(cell, i + 1);
      if (cell.path("cell_type").asText().equals("code")) { // only code cells run
        review.add(CodeReview.of(i + 1, source(cell.get("source"))));
      }
    }
    return new Notebook(bytes.clone(), cells.size(), review);
  }

  private static void checkCell(JsonNode cell, int number) {
    if (!cell.isObject()) {
      throw invalid("cell " + number + " is not an object");
    }
    String type = cell.path("cell_type").asText("");
    if (!CELL_TYPES.contains(type)) {
      throw invalid("cell " + number + " has cell_type '" + printable(type) + "'; nbformat 4 knows code, markdown and raw");
    }
    JsonNode source = cell.get("source");
    boolean text = source != null && (source.isTextual()
        || source.isArray() && java.util.stream.StreamSupport.stream(source.spliterator(), false).allMatch(JsonNode::isTextual));
    if (!text) {
      throw invalid("cell " + number + " has no 'source' (a string or a list of strings)");
    }
    if (!cell.path("metadata").isObject()) {
      throw invalid("cell " + number + " has no 'metadata' object");
    }
  }

  /** A cell's source as nbformat joins it: a list of strings is one text. */
  private static String source(JsonNode source) {
    if (source.isTextual()) {
      return source.asText();
    }
    StringBuilder text = new StringBuilder();
    source.forEach(line -> text.append(line.asText()));
    return text.toString();
  }

  private static BridgeException invalid(String why) {
    return new BridgeException("invalid_notebook", 400, "Not a Jupyter notebook in nbformat 4: " + why);
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public Sha256 sha256() {
    return sha256;
  }

  public int size() {
    return bytes.length;
  }

  public int cells() {
    return cells;
  }

  /** Each code cell as a reviewer needs to read it: as JShell parses it, with what reads otherwise flagged. */
  public List<CodeReview> review() {
    return review;
  }

  /** Every spot of the code cells where JShell parses something other than what the notebook shows. */
  public List<Finding> findings() {
    return review.stream().flatMap(cell -> cell.findings().stream()).toList();
  }
}
