package dev.cleanroom.dp.policy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * What a provider declares about one column. Bounds and categories are public facts chosen by the
 * provider, never read from the data: DP sensitivity is computed from them.
 */
public sealed interface ColumnPolicy {
  /** What a missing value is held and shown as in a categorical column, and a histogram's bucket of them. */
  String MISSING = "(missing)";

  String name();

  /** Whether the column may hold missing values and how aggregates treat them. */
  default MissingValues missing() {
    return MissingValues.NONE;
  }

  /**
   * A numeric column whose values are taken to lie in [lower, upper].
   *
   * @param integer whether values are whole numbers (mock and synthetic data then hold whole numbers)
   * @param missing whether values may be missing; an imputed value lies within the bounds
   */
  record Numeric(String name, double lower, double upper, boolean integer, MissingValues missing)
      implements ColumnPolicy {
    public Numeric {
      requireName(name);
      missing = Objects.requireNonNullElse(missing, MissingValues.NONE); // a schema written before missing values
      if (!Double.isFinite(lower) || !Double.isFinite(upper) || lower >= upper) {
        throw new IllegalArgumentException(
            "Column '" + name + "' needs finite bounds with lower < upper, got [" + lower + ", " + upper + "]");
      }
      double imputed = missing.imputed().orElse(lower);
      if (imputed < lower || imputed > upper) {
        throw new IllegalArgumentException("Column '" + name + "' imputes " + imputed + " for missing values, outside"
            + " its bounds [" + lower + ", " + upper + "]; impute a value within them");
      }
    }

    /** A column with no missing values. */
    public Numeric(String name, double lower, double upper, boolean integer) {
      this(name, lower, upper, integer, MissingValues.NONE);
    }

    /** A column of real numbers. */
    public Numeric(String name, double lower, double upper) {
      this(name, lower, upper, false);
    }

    /** Where a value outside the bounds or a missing/NaN value is moved when the policy clamps. */
    public double clamp(double value) {
      if (Double.isNaN(value)) {
        return (lower + upper) / 2;
      }
      return Math.max(lower, Math.min(upper, value));
    }
  }

  /** A categorical column with the full list of categories; anything else counts as {@value #OTHER}. */
  record Categorical(String name, List<String> categories, MissingValues missing) implements ColumnPolicy {
    /** What a value outside the declared categories becomes when the data is loaded. */
    public static final String OTHER = "(other)";

    public Categorical {
      requireName(name);
      missing = Objects.requireNonNullElse(missing, MissingValues.NONE); // a schema written before missing values
      categories = List.copyOf(categories);
      if (categories.isEmpty()) {
        throw new IllegalArgumentException("Column '" + name + "' needs at least one category");
      }
      for (String category : categories) {
        // Categories reach OpenDP as C strings in UTF-8, and (other) is the bucket of everything undeclared.
        if (category.indexOf('\0') >= 0 || !StandardCharsets.UTF_8.newEncoder().canEncode(category)
            || category.equals(OTHER) || category.equals(MISSING)) {
          throw new IllegalArgumentException("Column '" + name + "' declares a category that cannot be one ("
              + category.replace("\0", "\\0") + "): a category holds no NUL, no unpaired surrogate, and is neither "
              + OTHER + ", which stands for every undeclared value, nor " + MISSING + ", which stands for no value");
        }
      }
      if (categories.stream().distinct().count() != categories.size()) {
        throw new IllegalArgumentException("Column '" + name + "' lists a category twice: " + categories);
      }
      if (missing.imputed().isPresent()) {
        throw new IllegalArgumentException("Column '" + name + "' is categorical: its missing values are counted in"
            + " the " + MISSING + " bucket, not imputed; remove the imputed value");
      }
    }

    /** A column with no missing values. */
    public Categorical(String name, List<String> categories) {
      this(name, categories, MissingValues.NONE);
    }
  }

  /**
   * A true/false column, held and shown as the categories {@code false} and {@code true}: DP histograms, filters
   * and group-bys treat it as that categorical column ({@link #asCategorical}). A cell reads as true from
   * {@code true}, {@code yes}, {@code t}, {@code y} or {@code 1}, as false from {@code false}, {@code no},
   * {@code f}, {@code n} or {@code 0}, ignoring case; anything else is undeclared.
   */
  record Bool(String name, MissingValues missing) implements ColumnPolicy {
    public static final List<String> VALUES = List.of("false", "true");

    public Bool {
      requireName(name);
      missing = Objects.requireNonNullElse(missing, MissingValues.NONE); // a schema written before missing values
      if (missing.imputed().isPresent()) {
        throw new IllegalArgumentException("Column '" + name + "' is a boolean: its missing values are counted in"
            + " the " + MISSING + " bucket, not imputed; remove the imputed value");
      }
    }

    public Categorical asCategorical() {
      return new Categorical(name, VALUES, missing);
    }

    /** {@code true} or {@code false} as a cell says, or the cell itself when it says neither. */
    public static String normalize(String cell) {
      return switch (cell.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "true", "yes", "t", "y", "1" -> "true";
        case "false", "no", "f", "n", "0" -> "false";
        default -> cell;
      };
    }
  }

  /**
   * A date or timestamp column with declared bounds, held as a whole number: days since 1970-01-01 for a date,
   * seconds since 1970-01-01T00:00:00Z for a timestamp. Numeric aggregates and the synthesizer read that number
   * ({@link #asNumeric}); views write it back as ISO-8601 text ({@link #format}). Missing values are skipped.
   */
  record Temporal(String name, boolean timestamp, long lower, long upper, MissingValues missing)
      implements ColumnPolicy {
    public Temporal {
      requireName(name);
      missing = Objects.requireNonNullElse(missing, MissingValues.NONE); // a schema written before missing values
      if (lower >= upper) {
        throw new IllegalArgumentException("Column '" + name + "' needs lower < upper, got " + lower + " and "
            + upper);
      }
      if (missing.imputed().isPresent()) {
        throw new IllegalArgumentException("Column '" + name + "' is a " + (timestamp ? "timestamp" : "date")
            + ": aggregates skip its missing values; remove the imputed value");
      }
    }

    public static Temporal dates(String name, LocalDate lower, LocalDate upper, MissingValues missing) {
      return new Temporal(name, false, lower.toEpochDay(), upper.toEpochDay(), missing);
    }

    public static Temporal timestamps(String name, Instant lower, Instant upper, MissingValues missing) {
      return new Temporal(name, true, lower.getEpochSecond(), upper.getEpochSecond(), missing);
    }

    /** The column as the numbers it is held as: whole days or seconds within the bounds. */
    public Numeric asNumeric() {
      return new Numeric(name, lower, upper, true, missing);
    }

    /**
     * The day or second a cell stands for, NaN if it is neither: a date as {@code 2024-03-05}; a timestamp as
     * {@code 2024-03-05T10:15:30Z}, or without a zone ({@code 2024-03-05T10:15:30}, {@code 2024-03-05 10:15:30})
     * read as UTC.
     */
    public double parse(String cell) {
      String text = cell.strip();
      try {
        if (!timestamp) {
          return LocalDate.parse(text).toEpochDay();
        }
        if (text.endsWith("Z") || text.matches(".*[+-]\\d\\d:\\d\\d$")) {
          return java.time.OffsetDateTime.parse(text.replace(' ', 'T')).toEpochSecond();
        }
        return java.time.LocalDateTime.parse(text.replace(' ', 'T')).toEpochSecond(java.time.ZoneOffset.UTC);
      } catch (java.time.format.DateTimeParseException e) {
        return Double.NaN;
      }
    }

    /** A held value as ISO-8601 text: {@code 2024-03-05}, or {@code 2024-03-05T10:15:30Z}. */
    public String format(long value) {
      return timestamp ? Instant.ofEpochSecond(value).toString() : LocalDate.ofEpochDay(value).toString();
    }

    /** The UTC day of a held value. */
    public LocalDate day(long value) {
      return timestamp ? LocalDate.ofInstant(Instant.ofEpochSecond(value), java.time.ZoneOffset.UTC)
          : LocalDate.ofEpochDay(value);
    }
  }

  /**
   * A key such as a hashed user id, for joining datasets in stage 2. It is never in a DP answer nor read by the
   * synthesizer: the DP query service does not load it, and the mock and synthetic views hold fake values of
   * {@code format} in it, drawn without reading the data. In stage 2 the notebook reads the real values.
   *
   * @param format what a fake value looks like: {@code #} a digit, {@code ?} a letter a-z, {@code *} a hex
   *     digit, anything else itself, e.g. {@code user-########}
   */
  record Identifier(String name, String format) implements ColumnPolicy {
    /** The format of a column that declares none. */
    public static final String DEFAULT_FORMAT = "id-########";

    public Identifier {
      requireName(name);
      if (format == null || format.chars().noneMatch(c -> c == '#' || c == '?' || c == '*')) {
        throw new IllegalArgumentException("Identifier column '" + name + "' needs a format with at least one #"
            + " (digit), ? (letter) or * (hex digit), e.g. user-########; got '" + format + "'");
      }
    }

    /** A fake value of the format. */
    public String fake(java.util.random.RandomGenerator random) {
      StringBuilder value = new StringBuilder(format.length());
      for (char c : format.toCharArray()) {
        value.append(switch (c) {
          case '#' -> (char) ('0' + random.nextInt(10));
          case '?' -> (char) ('a' + random.nextInt(26));
          case '*' -> Character.forDigit(random.nextInt(16), 16);
          default -> c;
        });
      }
      return value.toString();
    }
  }

  /** A column the provider withholds: it is dropped when the data is loaded and appears in no view. */
  record Excluded(String name) implements ColumnPolicy {
    public Excluded {
      requireName(name);
    }
  }

  private static void requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("A column needs a name");
    }
  }
}
