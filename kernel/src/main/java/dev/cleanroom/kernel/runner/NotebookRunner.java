package dev.cleanroom.kernel.runner;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.cleanroom.kernel.NotebookSession;
import dev.cleanroom.kernel.eval.CellException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * Runs a notebook headless with the kernel's own evaluator (no Jupyter, no Python) and writes the
 * executed notebook in nbformat 4: the TEE launcher runs stage-2 notebooks with it.
 *
 * <p>Cells run in order; the first failing cell stops the run with its error recorded in the
 * notebook, like {@code jupyter nbconvert --execute} without {@code --allow-errors}. A cell that
 * exceeds the per-cell timeout, or the run's total timeout, is interrupted and recorded as failed.
 */
public final class NotebookRunner {
  /** How a run ended. {@code failedCell} is the index of the failing cell among all cells, if any. */
  public record Result(boolean succeeded, Optional<Integer> failedCell, String message, int cellsRun) {}

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().serializeNulls().create();
  private static final Gson PLAIN = new Gson();

  private final Duration cellTimeout;
  private final Duration totalTimeout;

  public NotebookRunner(Duration cellTimeout, Duration totalTimeout) {
    this.cellTimeout = cellTimeout;
    this.totalTimeout = totalTimeout;
  }

  /** Executes {@code input} and writes the executed notebook to {@code output} (also on failure). */
  public Result run(Path input, Path output) throws IOException {
    JsonObject notebook = JsonParser.parseString(Files.readString(input)).getAsJsonObject();
    int major = notebook.has("nbformat") ? notebook.get("nbformat").getAsInt() : 0;
    if (major != 4) {
      throw new IOException(input + " is nbformat " + major + "; the runner reads nbformat 4 notebooks"
          + " (convert with 'jupyter nbconvert --to notebook')");
    }
    Result result;
    try (NotebookSession session = NotebookSession.start()) {
      result = run(notebook, session);
    }
    Files.createDirectories(output.toAbsolutePath().getParent());
    Files.writeString(output, GSON.toJson(notebook) + "\n", StandardCharsets.UTF_8);
    return result;
  }

  private Result run(JsonObject notebook, NotebookSession session) {
    JsonArray cells = notebook.getAsJsonArray("cells");
    Map<String, List<JsonObject>> updatable = new HashMap<>();
    Instant deadline = Instant.now().plus(totalTimeout);
    int count = 0;
    for (int index = 0; index < cells.size(); index++) {
      JsonObject cell = cells.get(index).getAsJsonObject();
      if (!"code".equals(cell.get("cell_type").getAsString())) {
        continue;
      }
      count++;
      JsonArray outputs = new JsonArray();
      cell.add("outputs", outputs);
      cell.addProperty("execution_count", count);
      String source = source(cell.get("source"));
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        return fail(outputs, index, count, "Timeout", "The notebook's total timeout of " + seconds(totalTimeout)
            + " ran out before this cell started.");
      }
      boolean totalLimits = left.compareTo(cellTimeout) < 0;
      Duration limit = totalLimits ? left : cellTimeout;
      String cellName = "cell [" + count + "]";
      CompletableFuture<Optional<DisplayData>> execution = CompletableFuture.supplyAsync(() -> {
        try {
          return session.execute(source, cellName, new Outputs(outputs, updatable));
        } catch (CellException e) {
          throw new CellFailure(e);
        }
      });
      try {
        Optional<DisplayData> value = execution.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        value.ifPresent(data -> outputs.add(result(data, cell.get("execution_count").getAsInt())));
      } catch (TimeoutException e) {
        session.stop();
        try {
          execution.get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // the cell ends with "interrupted"; the timeout is what gets recorded
        }
        String what = totalLimits ? "the notebook's total timeout of " + seconds(totalTimeout)
            : "the per-cell timeout of " + seconds(cellTimeout);
        return fail(outputs, index, count, "Timeout", cellName + " was stopped after " + what + ".");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof CellFailure failure) {
          CellException error = failure.error;
          outputs.add(error(error.name(), error.value(), error.traceback()));
          return new Result(false, Optional.of(index), cellName + " failed: " + error.name() + ": " + error.value(), count);
        }
        return fail(outputs, index, count, e.getCause().getClass().getName(), String.valueOf(e.getCause().getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return fail(outputs, index, count, "Interrupted", "The run was interrupted.");
      }
    }
    return new Result(true, Optional.empty(), "ran " + count + " code cells", count);
  }

  private static Result fail(JsonArray outputs, int index, int count, String name, String message) {
    outputs.add(error(name, message, List.of(name + ": " + message)));
    return new Result(false, Optional.of(index), message, count);
  }

  private static String seconds(Duration duration) {
    return duration.toSeconds() + " s";
  }

  private static String source(JsonElement source) {
    if (source == null || source.isJsonNull()) {
      return "";
    }
    if (source.isJsonArray()) {
      StringBuilder text = new StringBuilder();
      source.getAsJsonArray().forEach(line -> text.append(line.getAsString()));
      return text.toString();
    }
    return source.getAsString();
  }

  private static JsonObject result(DisplayData data, int executionCount) {
    JsonObject output = display(data);
    output.addProperty("output_type", "execute_result");
    output.addProperty("execution_count", executionCount);
    return output;
  }

  /** display_data in nbformat: {@code data} by MIME type, {@code metadata}; no transient fields. */
  private static JsonObject display(DisplayData data) {
    JsonObject wire = PLAIN.toJsonTree(data).getAsJsonObject();
    JsonObject output = new JsonObject();
    output.addProperty("output_type", "display_data");
    output.add("data", wire.has("data") ? wire.get("data") : new JsonObject());
    output.add("metadata", wire.has("metadata") ? wire.get("metadata") : new JsonObject());
    return output;
  }

  private static JsonObject error(String name, String value, List<String> traceback) {
    JsonObject output = new JsonObject();
    output.addProperty("output_type", "error");
    output.addProperty("ename", name);
    output.addProperty("evalue", value);
    JsonArray lines = new JsonArray();
    traceback.forEach(line -> lines.add(new JsonPrimitive(line)));
    output.add("traceback", lines);
    return output;
  }

  /** Collects a cell's outputs as Jupyter would store them: consecutive stream text is merged. */
  private static final class Outputs implements NotebookSession.CellOutputs {
    private final JsonArray outputs;
    /** Outputs shown with a display id, by id, across the notebook: an update replaces them all, as nbclient does. */
    private final Map<String, List<JsonObject>> updatable;

    Outputs(JsonArray outputs, Map<String, List<JsonObject>> updatable) {
      this.outputs = outputs;
      this.updatable = updatable;
    }

    @Override
    public synchronized void stdout(String text) {
      stream("stdout", text);
    }

    @Override
    public synchronized void stderr(String text) {
      stream("stderr", text);
    }

    private void stream(String name, String text) {
      if (!outputs.isEmpty()) {
        JsonObject last = outputs.get(outputs.size() - 1).getAsJsonObject();
        if ("stream".equals(last.get("output_type").getAsString()) && name.equals(last.get("name").getAsString())) {
          last.addProperty("text", last.get("text").getAsString() + text);
          return;
        }
      }
      JsonObject output = new JsonObject();
      output.addProperty("output_type", "stream");
      output.addProperty("name", name);
      output.addProperty("text", text);
      outputs.add(output);
    }

    @Override
    public synchronized void display(DisplayData data) {
      JsonObject output = NotebookRunner.display(data);
      outputs.add(output);
      if (data.hasDisplayId()) {
        updatable.computeIfAbsent(data.getDisplayId(), id -> new ArrayList<>()).add(output);
      }
    }

    @Override
    public synchronized void updateDisplay(DisplayData data) {
      JsonObject update = NotebookRunner.display(data);
      for (JsonObject output : updatable.getOrDefault(data.getDisplayId(), List.of())) {
        output.add("data", update.get("data"));
        output.add("metadata", update.get("metadata"));
      }
    }
  }

  private static final class CellFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CellException error;

    CellFailure(CellException error) {
      super(error.getMessage(), null, false, false);
      this.error = error;
    }
  }
}
