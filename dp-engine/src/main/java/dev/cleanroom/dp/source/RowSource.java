package dev.cleanroom.dp.source;

import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.GroupedQuery;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.policy.DatasetPolicy;
import java.util.Map;

/**
 * Where a dataset's real rows live and how a prepared query reads them: in the JVM's heap
 * ({@link HeapRows}), or in an embedded columnar engine for data larger than the heap ({@link DuckDbRows}).
 *
 * <p>Both keep {@code PrivateTable}'s invariant (every value a query reads is within its bounds or a declared
 * category or (other), fixed when the data is loaded), and both do one pass over every row for a query
 * whatever its filter keeps, so neither a value nor a filter's selectivity can fail or time a charged query.
 * Callers charge the query's cost before they call a release method.
 */
public interface RowSource extends AutoCloseable {
  DatasetPolicy policy();

  /** Releases {@code query} on the rows whose categorical columns equal the categories in {@code where}. */
  <T> DpAnswer<T> release(PreparedQuery<T> query, Map<String, String> where);

  /** Releases {@code query} once per declared category of its column, on the rows {@code where} keeps. */
  <T> Map<String, DpAnswer<T>> releaseByGroup(GroupedQuery<T> query, Map<String, String> where);

  @Override
  void close();
}
