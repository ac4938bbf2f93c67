package dev.cleanroom.dp.policy;

/**
 * What happens to a value that breaks the declared schema (NaN, ±∞, missing, outside the bounds, an
 * undeclared category) when the provider loads the real data.
 *
 * <p>Either way this is decided when the data is loaded, on the provider's side: a query never fails
 * because of what the data contains, since that failure would itself reveal something about the data.
 */
public enum InvalidValues {
  /** Numbers are clamped into the bounds (NaN and missing become the midpoint); categories are kept as "other". */
  CLAMP,
  /** Loading fails with a count of offending values per column, for the provider to fix the data or the policy. */
  REJECT
}
