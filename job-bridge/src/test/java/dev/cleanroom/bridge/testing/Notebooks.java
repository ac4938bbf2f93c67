package dev.cleanroom.bridge.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.kernel.maven.NotebookLock;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Small real notebooks for tests. */
public final class Notebooks {
  private Notebooks() {}

  /** A two-cell nbformat 4 notebook (markdown and code), as JupyterLab saves one. */
  public static byte[] regression() {
    return regression("");
  }

  /** The same notebook with {@code extra} in its code cell, so that two notebooks differ. */
  public static byte[] regression(String extra) {
    return ("""
        {
         "cells": [
          {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Charges by age and smoking\\n", "A *linear* model, trained on the real rows in stage 2."]},
          {"cell_type": "code", "execution_count": null, "id": "fit", "metadata": {}, "outputs": [],
           "source": ["var t = Dcr.dataset(\\"insurance\\").table();\\n", "Dcr.output(\\"model.txt\\").write(fit(t));%s"]}
         ],
         "metadata": {"kernelspec": {"display_name": "Java (clean room)", "language": "java", "name": "dcr-java"}},
         "nbformat": 4,
         "nbformat_minor": 5
        }
        """.formatted(extra.isEmpty() ? "" : "\\n// " + extra)).getBytes(StandardCharsets.UTF_8);
  }

  /** The line of {@link #hidingCode()} whose Unicode escape {@code \\u0022} ends the string: JShell runs {@code y = 7}. */
  public static final String ESCAPED_QUOTE = "String s = \"a\\u0022; y = 7; //\";";
  /** The commenting-out sample of Trojan Source (CVE-2021-42574): shown as an if, all of it a comment. */
  public static final String TROJAN_SOURCE = "/*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */";

  /** A notebook that reads otherwise than it runs: cell 2 hides {@code y = 7} in a string, cell 3 is Trojan Source. */
  public static byte[] hidingCode() {
    return notebook("# A harmless study", "int y = 0;\n" + ESCAPED_QUOTE + "\nvar t = Dcr.dataset(\"insurance\").table();",
        TROJAN_SOURCE);
  }

  /**
   * A notebook whose {@code %maven} cell's output carries a lock of these jars ({@code group:artifact:jar:version} →
   * sha256), as the kernel saves one.
   */
  public static byte[] withLibraries(Map<String, String> jars) {
    ObjectNode notebook = BridgeFixture.JSON.createObjectNode();
    ArrayNode cells = notebook.putArray("cells");
    ObjectNode cell = cells.addObject().put("cell_type", "code").put("source", "%maven " + String.join(" ", jars.keySet()));
    cell.putObject("metadata");
    cell.put("execution_count", 1);
    ObjectNode output = cell.putArray("outputs").addObject().put("output_type", "execute_result").put("execution_count", 1);
    output.putObject("metadata");
    ArrayNode artifacts = output.putObject("data").put("text/plain", "Added").putObject(NotebookLock.MIME_TYPE)
        .put("repository", "").putArray("artifacts");
    jars.forEach((coordinates, sha256) -> artifacts.addObject().put("coordinates", coordinates).put("sha256", sha256));
    notebook.putObject("metadata");
    notebook.put("nbformat", 4).put("nbformat_minor", 5);
    return notebook.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A notebook of a markdown cell and then one code cell per source given. */
  public static byte[] notebook(String markdown, String... code) {
    ObjectNode notebook = BridgeFixture.JSON.createObjectNode();
    ArrayNode cells = notebook.putArray("cells");
    cells.addObject().put("cell_type", "markdown").put("source", markdown).putObject("metadata");
    for (String source : code) {
      ObjectNode cell = cells.addObject().put("cell_type", "code").put("source", source);
      cell.putObject("metadata");
      cell.putArray("outputs");
      cell.putNull("execution_count");
    }
    notebook.putObject("metadata");
    notebook.put("nbformat", 4).put("nbformat_minor", 5);
    return notebook.toString().getBytes(StandardCharsets.UTF_8);
  }
}
