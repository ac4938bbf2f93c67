package dev.cleanroom.tee.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.Sha256;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The inputs a job's image is approved to read: every input by its name under the input folder
 * ({@code insurance/real.csv}, {@code insurance/commitment.key}, ...) with the commitment its provider published, as
 * the job was approved. The image carries them in its notebook layer ({@code /app/inputs.json}), so an image digest
 * names the data a notebook may read as well as the notebook; the launcher refuses a job whose {@code DCR_INPUTS} (and
 * so its job plan) is not exactly this set.
 *
 * <p>Invariant: one set has one file ({@link #toJson()}: canonical JSON), so two builds for the same approved inputs
 * give the same digest, and an auditor rebuilds it from the manifest's input commitments.
 */
public record ApprovedInputs(SortedMap<String, Sha256> commitments) {
  /** The format tag of the file; a new tag is a new layout. */
  public static final String FORMAT = "dcr.approved-inputs/1";

  public ApprovedInputs {
    TreeMap<String, Sha256> copy = new TreeMap<>();
    commitments.forEach((name, commitment) -> {
      JobConfig.requireInputName(name);
      copy.put(name, java.util.Objects.requireNonNull(commitment, "input '" + name + "' has no commitment"));
    });
    commitments = Collections.unmodifiableSortedMap(copy);
  }

  /** The inputs of {@code commitments} (input name → commitment). */
  public static ApprovedInputs of(Map<String, Sha256> commitments) {
    return new ApprovedInputs(new TreeMap<>(commitments));
  }

  /** No input: an image that may read no data. */
  public static ApprovedInputs none() {
    return new ApprovedInputs(new TreeMap<>());
  }

  /** Reads {@code name=commitment,...} as {@code DCR_INPUTS} spells it; {@code what} names the list in messages. */
  public static ApprovedInputs parseList(String list, String what) {
    return new ApprovedInputs(JobConfig.parseInputs(list, what));
  }

  /** The inputs as {@code DCR_INPUTS} and {@code dcr image build --inputs} spell them: {@code name=commitment,...}. */
  public String toList() {
    StringBuilder list = new StringBuilder();
    commitments.forEach((name, commitment) -> list.append(list.isEmpty() ? "" : ",").append(name).append('=')
        .append(commitment.hex()));
    return list.toString();
  }

  /** The file the image carries: {@code {"format": ..., "inputs": {name: commitment hex, ...}}}, canonical JSON. */
  public byte[] toJson() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("format", FORMAT);
    ObjectNode inputs = json.putObject("inputs");
    commitments.forEach((name, commitment) -> inputs.put(name, commitment.hex()));
    return CanonicalJson.serialize(json);
  }

  /** Reads the file {@link #toJson()} writes, refusing any other document (another member, another spelling). */
  public static ApprovedInputs fromJson(byte[] bytes) {
    JsonNode json = CanonicalJson.parse(bytes);
    JsonNode inputs = json.path("inputs");
    if (!json.isObject() || json.size() != 2 || !FORMAT.equals(json.path("format").asText()) || !inputs.isObject()) {
      throw new IllegalArgumentException("the approved inputs are not a " + FORMAT + " document");
    }
    TreeMap<String, Sha256> commitments = new TreeMap<>();
    for (Map.Entry<String, JsonNode> input : inputs.properties()) {
      if (!input.getValue().isTextual()) {
        throw new IllegalArgumentException("approved input '" + input.getKey() + "' has no commitment");
      }
      commitments.put(input.getKey(), new Sha256(input.getValue().asText()));
    }
    ApprovedInputs approved = new ApprovedInputs(commitments);
    if (!java.util.Arrays.equals(approved.toJson(), bytes)) {
      throw new IllegalArgumentException("the approved inputs are not in canonical form");
    }
    return approved;
  }
}
