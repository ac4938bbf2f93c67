package dev.cleanroom.tee;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small nbformat-4 notebooks for tests, written from their code cells so each test shows what its notebook does. */
public final class TestNotebooks {
  private TestNotebooks() {}

  /** A notebook of these code cells, as the dcr-java kernel saves one. */
  public static byte[] of(String... codeCells) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode notebook = f.objectNode();
    notebook.put("nbformat", 4);
    notebook.put("nbformat_minor", 5);
    ObjectNode kernelspec = notebook.putObject("metadata").putObject("kernelspec");
    kernelspec.put("name", "dcr-java").put("display_name", "Java (clean room)").put("language", "java");
    ArrayNode cells = notebook.putArray("cells");
    for (String code : codeCells) {
      ObjectNode cell = cells.addObject();
      cell.put("cell_type", "code");
      cell.putObject("metadata");
      cell.put("source", code);
      cell.putArray("outputs");
      cell.putNull("execution_count");
    }
    return CanonicalJson.serialize(notebook);
  }

  public static Path write(Path file, String... codeCells) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, of(codeCells));
  }
}
