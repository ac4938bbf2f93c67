package dev.cleanroom.tee.base;

import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the base runtime layer is made of, as {@code base-runtime.lock} pins it: the JDK to link from, the
 * JDK modules, and the Debian packages (name, version, sha256 of the .deb).
 *
 * <p>Invariant: the same lock text gives the same base layer; {@link #key()} names it in the cache.
 */
public record BaseRuntimeRecipe(String jdk, List<String> modules, List<DebianPackage> packages, Sha256 key) {
  public static final String RESOURCE = "base-runtime.lock";

  private static final Pattern MODULE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
  private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.+~:-]+");

  /** One pinned package. */
  public record DebianPackage(String name, String version, Sha256 sha256) {
    /** {@code name=version}, as {@code apt-get download} takes it. */
    public String pin() {
      return name + "=" + version;
    }
  }

  public BaseRuntimeRecipe {
    modules = List.copyOf(modules);
    packages = List.copyOf(packages);
  }

  /** The lock file shipped in this jar. */
  public static BaseRuntimeRecipe pinned() {
    try (InputStream in = BaseRuntimeRecipe.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the tee-image jar");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("Tried to read " + RESOURCE + " from the tee-image jar but failed because: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a lock file. The cache key is the sha256 of its entries (comments and blank lines do not count)
   * and of {@link BaseRuntime#ASSEMBLY_VERSION}, so a change to either makes a new base layer.
   */
  public static BaseRuntimeRecipe parse(String text) {
    String jdk = null;
    List<String> modules = null;
    List<DebianPackage> packages = new ArrayList<>();
    StringBuilder canonical = new StringBuilder("assembly ").append(BaseRuntime.ASSEMBLY_VERSION).append('\n');
    int number = 0;
    for (String raw : text.split("\n")) {
      number++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      String where = RESOURCE + " line " + number + ": ";
      switch (f[0]) {
        case "jdk" -> {
          require(f.length == 2 && jdk == null, where + "one 'jdk <release>' entry is needed");
          jdk = f[1];
        }
        case "modules" -> {
          require(f.length == 2 && modules == null, where + "one 'modules a,b,c' entry is needed");
          modules = Arrays.asList(f[1].split(","));
          modules.forEach(m -> require(MODULE.matcher(m).matches(), where + "'" + m + "' is not a module name"));
        }
        case "deb" -> {
          require(f.length == 4, where + "a package is 'deb <name> <version> <sha256>'");
          require(PACKAGE.matcher(f[1]).matches() && VERSION.matcher(f[2]).matches(), where + "bad package name or version");
          Sha256 sha;
          try {
            sha = new Sha256(f[3]);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "the sha256 must be 64 lower-case hex digits");
          }
          packages.add(new DebianPackage(f[1], f[2], sha));
        }
        default -> throw new IllegalArgumentException(where + "unknown entry '" + f[0] + "' (jdk, modules or deb)");
      }
      canonical.append(String.join(" ", f)).append('\n');
    }
    require(jdk != null && modules != null, RESOURCE + " needs a 'jdk' and a 'modules' entry");
    require(modules.contains("java.base"), RESOURCE + ": the modules must include java.base");
    return new BaseRuntimeRecipe(jdk, modules, packages, Sha256.of(canonical.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
