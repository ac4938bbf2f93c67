package dev.cleanroom.bridge.testing;

import java.nio.charset.StandardCharsets;

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
}
