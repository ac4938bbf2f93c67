package dev.cleanroom.dp.source;

import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.GroupedQuery;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.mechanisms.RowFilter;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.Map;
import java.util.Optional;

/** Rows held in the JVM's heap: OpenDP runs each whole mechanism (aggregate and noise) on the columns. */
public final class HeapRows implements RowSource {
  private final PrivateTable table;

  public HeapRows(PrivateTable table) {
    this.table = table;
  }

  @Override
  public DatasetPolicy policy() {
    return table.policy();
  }

  @Override
  public <T> DpAnswer<T> release(PreparedQuery<T> query, Map<String, String> where) {
    return query.release(RowFilter.partition(table, where, Optional.empty()));
  }

  @Override
  public <T> Map<String, DpAnswer<T>> releaseByGroup(GroupedQuery<T> query, Map<String, String> where) {
    return query.release(RowFilter.partition(table, where, Optional.of(query.column())));
  }

  @Override
  public void close() {}
}
