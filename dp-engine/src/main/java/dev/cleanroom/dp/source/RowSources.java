package dev.cleanroom.dp.source;

import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses where a dataset's rows live when the service loads them. The deployment decides with
 * {@code DCR_ENGINE} ({@code embedded}, {@code duckdb}, or {@code auto}, the default): automatically, Parquet
 * goes to DuckDB (the heap table reads CSV only), and so does a CSV too large for the heap, which holds
 * every cell of a CSV as a string while it loads (about ten times the file's bytes).
 * {@code DCR_DUCKDB_MEMORY} (such as {@code 4GB}) caps DuckDB's memory before it spills to disk. A CSV whose
 * policy declares columns DuckDB does not hold yet (missing values, dates, booleans) stays in the heap.
 */
public final class RowSources {
  /** A CSV up to this share of the JVM's largest heap loads into the heap; a larger one goes to DuckDB. */
  static final long HEAP_SHARE = 20;

  private RowSources() {}

  public static RowSource open(Path data, DatasetPolicy policy) throws IOException {
    String engine = Optional.ofNullable(System.getenv("DCR_ENGINE")).orElse("auto");
    Optional<String> memory = Optional.ofNullable(System.getenv("DCR_DUCKDB_MEMORY")).filter(s -> !s.isBlank());
    boolean duckdb = switch (engine.toLowerCase(Locale.ROOT)) {
      case "duckdb" -> true;
      case "embedded" -> false;
      case "auto" -> choosesDuckDb(data, policy, Runtime.getRuntime().maxMemory());
      default -> throw new IllegalArgumentException(
          "DCR_ENGINE is '" + engine + "'; set it to embedded, duckdb or auto (or unset it)");
    };
    return duckdb ? DuckDbRows.load(data, policy, memory) : new HeapRows(PrivateTable.load(data, policy));
  }

  /**
   * The automatic choice: DuckDB for what {@link #needsDuckDb} sends there, but a CSV whose policy DuckDB cannot
   * hold stays in the heap (a Parquet file has no other engine; DuckDB then refuses it with the reason).
   */
  static boolean choosesDuckDb(Path data, DatasetPolicy policy, long maxHeap) throws IOException {
    return needsDuckDb(data, maxHeap) && (isParquet(data) || DuckDbRows.unsupportedColumns(policy).isEmpty());
  }

  /** Whether {@code data} is Parquet, or a CSV larger than {@code maxHeap} / {@value #HEAP_SHARE}. */
  static boolean needsDuckDb(Path data, long maxHeap) throws IOException {
    return isParquet(data) || Files.size(data) > maxHeap / HEAP_SHARE;
  }

  private static boolean isParquet(Path data) {
    return Files.isDirectory(data) || data.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
  }
}
