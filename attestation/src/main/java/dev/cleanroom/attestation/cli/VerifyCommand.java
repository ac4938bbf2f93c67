package dev.cleanroom.attestation.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.attestation.verify.AttestationVerifier;
import dev.cleanroom.attestation.verify.Check;
import dev.cleanroom.attestation.verify.ImageRebuilder;
import dev.cleanroom.attestation.verify.Verification;
import dev.cleanroom.attestation.verify.VerificationOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * {@code dcr verify <report.json | job folder>}: the auditor's check of a job's attestation report. Prints
 * every check with pass or fail and the reason; exits 0 only if all pass, 1 if any failed, 2 when there
 * was nothing to check (bad arguments, no readable report).
 */
public final class VerifyCommand {
  static final String USAGE = """
      usage: dcr verify <report.json | job folder> --trust FILE [options]

        --trust FILE          the deployment's trust file (its provider publishes it; obtain it from them, not from
                              the report's sender): project, service accounts, audience, images, input commitments
        --any-deployment      verify without a trust file: the report then proves nothing about whose project ran
                              the job or whose data it read
        --allow-simulator     also accept the local simulator's tokens (a simulated run proves nothing about real data)
        --allow-hwmodel NAME  also accept this hwmodel (e.g. CLEANROOM_SIMULATED_PROCESS, with --allow-simulator)
        --audience AUD        with --any-deployment: the audience the token must name (default %s)
        --jwks FILE           check the signature against this JWKS file, one you obtained yourself (offline)
        --archived-jwks       use the report's archived keys only where the live set (or the trust file) holds them
        --discovery URL       a simulator's discovery document to read its keys from (Google's is pinned)
        --at-job-end          check token times as of the job's end, not now (archived reports: tokens live 1 h)
        --clock-skew SECONDS  tolerated clock difference (default 60, at most 300)
        --rebuild             rebuild the image from notebook.ipynb and require the attested digest; the jars the
                              notebook locked with %%maven come from $DCR_MAVEN_REPOSITORY (else Maven Central)
        --libraries DIR       with --rebuild: take those jars from this folder instead (each sha256 is checked)
        --without-outputs     the folder has the report and notebook but no outputs (an auditor's copy):
                              list the output hashes the manifest binds instead of comparing files
        --json                print the result as JSON
      """.formatted(dev.cleanroom.attestation.token.TokenRequest.DEFAULT_AUDIENCE);

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;
  private final Supplier<Optional<ImageRebuilder>> rebuilders;

  VerifyCommand(PrintStream out, PrintStream err, Clock clock, Supplier<Optional<ImageRebuilder>> rebuilders) {
    this.out = out;
    this.err = err;
    this.clock = clock;
    this.rebuilders = rebuilders;
  }

  public static void main(String[] args) {
    VerifyCommand command = new VerifyCommand(System.out, System.err, Clock.systemUTC(),
        () -> ServiceLoader.load(ImageRebuilder.class).findFirst());
    System.exit(command.run(args));
  }

  private static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  int run(String... args) {
    boolean json = Arrays.asList(args).contains("--json");
    try {
      Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
      VerificationOptions.Builder options = VerificationOptions.builder().clock(clock);
      Path path = null;
      boolean rebuild = false;
      Optional<Path> libraries = Optional.empty();
      Optional<DeploymentTrust> trust = Optional.empty();
      while (!rest.isEmpty()) {
        String arg = rest.pop();
        switch (arg) {
          case "-h", "--help" -> {
            out.print(USAGE);
            return 0;
          }
          case "--trust" -> {
            trust = Optional.of(DeploymentTrust.read(Path.of(value(rest, arg))));
            options.trust(trust.get());
          }
          case "--any-deployment" -> options.anyDeployment();
          case "--allow-simulator" -> options.allowSimulator();
          case "--allow-hwmodel" -> options.allowHardwareModel(value(rest, arg));
          case "--audience" -> options.expectAudience(value(rest, arg));
          case "--jwks" -> options.offlineKeys(offlineJwks(Path.of(value(rest, arg))));
          case "--archived-jwks" -> options.archivedKeys();
          case "--discovery" -> options.liveKeys(url(value(rest, arg)));
          case "--at-job-end" -> options.checkTimesAtJobEnd();
          case "--clock-skew" -> options.clockSkew(Duration.ofSeconds(seconds(value(rest, arg))));
          case "--rebuild" -> rebuild = true;
          case "--libraries" -> libraries = Optional.of(Path.of(value(rest, arg)));
          case "--without-outputs" -> options.withoutOutputs();
          case "--json" -> { }
          default -> {
            if (arg.startsWith("-")) {
              throw new UsageException("unknown option " + arg);
            }
            if (path != null) {
              throw new UsageException("verify takes one report or job folder");
            }
            path = Path.of(arg);
          }
        }
      }
      if (path == null) {
        throw new UsageException("name a report.json or a job folder");
      }
      if (libraries.isPresent() && !rebuild) {
        throw new UsageException("--libraries is for --rebuild");
      }
      if (rebuild) {
        ImageRebuilder rebuilder = rebuilders.get().orElse((notebook, inputs) -> {
          throw new AttestationException("rebuild_unavailable",
              "the image builder (tee-image module) is not available here, so the image cannot be rebuilt; build it with ./dcr build");
        });
        options.rebuildWith(libraries.isPresent() ? rebuilder.withLibraryFolder(libraries.get()) : rebuilder);
      }
      JobFolder folder = folder(path);
      Verification result = AttestationVerifier.create().verify(folder, options.build());
      if (json) {
        printJson(folder, result);
      } else {
        printText(folder, result, trust, rebuild);
      }
      return result.passed() ? 0 : 1;
    } catch (UsageException | IllegalArgumentException e) {
      err.println("dcr verify: " + e.getMessage());
      if (!json) {
        err.print(USAGE);
      }
      return 2;
    } catch (AttestationException e) {
      err.println("dcr verify: " + e.getMessage() + " [" + e.code() + "]");
      return 2;
    } catch (IOException e) {
      err.println("dcr verify: could not read " + e.getMessage());
      return 2;
    }
  }

  private static JobFolder folder(Path path) throws UsageException {
    if (Files.isDirectory(path)) {
      return JobFolder.at(path);
    }
    if (Files.isRegularFile(path)) {
      if (!path.getFileName().toString().equals(JobFolder.REPORT)) {
        throw new UsageException("a report file must be the " + JobFolder.REPORT + " of a job folder, beside its outputs");
      }
      return JobFolder.at(path.toAbsolutePath().getParent());
    }
    throw new UsageException(path + " does not exist");
  }

  private static String value(Deque<String> rest, String option) throws UsageException {
    if (rest.isEmpty()) {
      throw new UsageException(option + " needs a value");
    }
    return rest.pop();
  }

  private static long seconds(String value) throws UsageException {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UsageException("--clock-skew takes whole seconds");
    }
  }

  private static URI url(String value) throws UsageException {
    try {
      return URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--discovery takes a URL");
    }
  }

  private static ArchivedJwks offlineJwks(Path file) throws IOException {
    return new ArchivedJwks(Files.readString(file, StandardCharsets.UTF_8), "", "file " + file.toAbsolutePath(),
        Files.getLastModifiedTime(file).toInstant());
  }

  private void printText(JobFolder folder, Verification result, Optional<DeploymentTrust> trust, boolean rebuild)
      throws IOException {
    JobManifest manifest = folder.readReport().manifest();
    out.println("Attestation report of job " + manifest.jobId() + " in " + folder.dir());
    int width = result.checks().stream().mapToInt(c -> c.name().code().length()).max().orElse(10);
    for (Check c : result.checks()) {
      out.printf("  %s  %-" + width + "s  %s%n", c.passed() ? "pass" : "FAIL", c.name().code(), c.reason());
    }
    out.println("keys:    " + result.keySource());
    out.println("outcome: " + manifest.outcome() + "; " + manifest.outputs().size() + " outputs; image " + manifest.imageDigest());
    if (!rebuild) {
      out.println(trust.isPresent() && !trust.get().imageDigests().isEmpty()
          ? "image:   one of the digests the trust file lists; --rebuild also shows it is built from notebook.ipynb"
          : "note:    without --rebuild nothing ties notebook.ipynb to the attested image"
              + (trust.isPresent() ? " beyond the trust file's repositories" : "") + "; pass --rebuild to rebuild it");
    }
    if (result.passed()) {
      boolean simulated = result.orThrow().simulated();
      out.println(simulated
          ? "VERIFIED as a SIMULATED run (accepted because of --allow-simulator; it proves nothing about a real TEE)"
          : "VERIFIED: every check passed");
      out.println(result.deployment()
          .map(d -> "deployment: " + d + " (its trust file: project, service accounts, audience, images, input commitments)")
          .orElse("ANY DEPLOYMENT: no trust file was given, so this report proves nothing about whose project ran the job"
              + " or whose data it read"));
    } else {
      out.println("REFUSED: " + result.failures().size() + " of " + result.checks().size() + " checks failed ("
          + String.join(", ", result.failures().stream().map(c -> c.name().code()).toList()) + ")");
    }
  }

  private void printJson(JobFolder folder, Verification result) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.put("folder", folder.dir().toString());
    o.put("passed", result.passed());
    o.put("simulated", result.attestation().map(a -> a.simulated()).orElse(false));
    o.put("keySource", result.keySource());
    o.put("deployment", result.deployment().orElse(null));
    ArrayNode checks = o.putArray("checks");
    for (Check c : result.checks()) {
      checks.addObject().put("check", c.name().code()).put("passed", c.passed()).put("reason", c.reason());
    }
    o.set("manifest", folder.readReport().manifest().toJson());
    try {
      out.println(CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
