package dev.cleanroom.kernel.magic;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cleanroom.dp.client.DatasetInfo;
import dev.cleanroom.kernel.display.Html;
import dev.cleanroom.kernel.jobs.JobBridgeClient;
import dev.cleanroom.kernel.jobs.NotebookFile;
import dev.cleanroom.kernel.maven.NotebookLibraries;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.kernel.review.Finding;
import dev.cleanroom.kernel.sdk.Dcr;
import dev.cleanroom.kernel.sdk.Stage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * The line magics of the kernel: a cell line starting with {@code %name args}. Each answers with a
 * value the cell shows. Magics talk to the clean room only through the notebook SDK and the
 * environment, like cell code does.
 */
public final class Magics {
  /** A line magic that cannot run; the message says why and what to do. */
  public static final class MagicException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    MagicException(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private interface Magic {
    Object run(List<String> args);
  }

  private record Entry(String usage, String help, Magic magic) {}

  private final Map<String, Entry> magics = new LinkedHashMap<>();
  private final Optional<JobBridgeClient> bridge;
  private final Map<String, String> environment;
  private final Consumer<Path> classPath;
  /** Made at the first %maven: reading the bundle's jars takes a moment no other magic should pay. */
  private NotebookLibraries libraries;
  /** The notebook's lock so far: every jar {@code %maven} added in this session, by coordinates. */
  private final Map<String, NotebookLibraries.Jar> locked = new LinkedHashMap<>();
  private final List<String> requested = new ArrayList<>();
  /** Stage 2: the image's jars already added, by file name. */
  private final Set<String> imageJarsAdded = new HashSet<>();

  /**
   * MIME type of the lock {@code %maven} shows: Jupyter saves every MIME type of an output in the notebook file,
   * so the saved notebook carries its lock in the output of its {@code %maven} cells.
   */
  public static final String LOCK_MIME_TYPE = NotebookLock.MIME_TYPE;
  /**
   * In stage 2, the image's folder of the notebook's locked jars (set by the launcher); {@code %maven} takes its jars
   * from there and never downloads.
   */
  public static final String LIBRARIES_VARIABLE = "DCR_NOTEBOOK_LIBRARIES";

  /**
   * @param bridge the job bridge ({@code DCR_BRIDGE_URL} with the token {@code DCR_TOKEN}), if any
   * @param environment the kernel's environment, where JupyterLab names the notebook the kernel runs for, and
   *     {@code DCR_MAVEN_REPOSITORY} a Maven mirror for {@code %maven}
   * @param classPath adds a jar to the class path of the cells that follow
   */
  public Magics(Optional<JobBridgeClient> bridge, Map<String, String> environment, Consumer<Path> classPath) {
    this.bridge = bridge;
    this.environment = Map.copyOf(environment);
    this.classPath = classPath;
    magics.put("datasets", new Entry("%datasets", "the datasets you may use, with their views and budgets", args -> datasets()));
    magics.put("budget", new Entry("%budget", "your privacy budget per dataset: total, spent, left", args -> Dcr.budget()));
    magics.put("submit", new Entry("%submit [file.ipynb] [--dataset name ...]",
        "submit this notebook, as saved, for execution on the real data (stage 2)", this::submit));
    magics.put("jobs", new Entry("%jobs", "your submitted jobs and their states", args -> jobs()));
    magics.put("job", new Entry("%job <id>", "one job: state, what it waits for, released outputs, comments",
        args -> job(jobId("%job", args))));
    magics.put("outputs", new Entry("%outputs <id>", "download a released job's outputs and report into a folder named <id>",
        args -> outputs(jobId("%outputs", args))));
    magics.put("maven", new Entry("%maven group:artifact:version [...]",
        "add a library and its runtime dependencies from Maven Central (or the deployment's mirror) to the cells"
            + " that follow; the cell's output keeps the lock (each jar's sha256); %maven --list shows it", this::maven));
    magics.put("help", new Entry("%help", "this list", args -> help()));
  }

  public List<String> names() {
    return List.copyOf(magics.keySet());
  }

  /** Whether a line of a cell is a magic line. */
  public static boolean isMagicLine(String line) {
    return line.stripLeading().startsWith("%");
  }

  /** Runs a magic line such as {@code %job 42}. */
  public Object run(String line) {
    List<String> words = new ArrayList<>(Arrays.asList(line.strip().substring(1).strip().split("\\s+")));
    String name = words.isEmpty() ? "" : words.remove(0);
    if (name.startsWith("%")) {
      throw new MagicException("unknown_magic", "Cell magics (%%" + name.substring(1) + ") are not supported"
          + " but %%time on a cell's first line; the line magics are " + list() + " (%help)");
    }
    Entry entry = magics.get(name);
    if (entry == null) {
      throw new MagicException("unknown_magic", "Unknown magic %" + name + "; the magics are " + list() + " (%help)");
    }
    return entry.magic().run(words);
  }

  private String list() {
    return String.join(", ", magics.keySet().stream().map(n -> "%" + n).toList()) + ", %time";
  }

  private Object help() {
    StringBuilder text = new StringBuilder("Magics of the clean room kernel:");
    StringBuilder html = new StringBuilder("<table><tbody>");
    magics.values().forEach(entry -> {
      text.append(String.format("%n  %-12s %s", entry.usage(), entry.help()));
      html.append("<tr><td><code>").append(Html.escape(entry.usage())).append("</code></td><td>")
          .append(Html.escape(entry.help())).append("</td></tr>");
    });
    // %time and %%time run in the notebook session, which times the evaluator (NotebookSession).
    String timeUsage = "%time <java>";
    String timeHelp = "run the rest of the line and say how long it took; %%time on a cell's first line times the cell";
    text.append(String.format("%n  %-12s %s", timeUsage, timeHelp));
    html.append("<tr><td><code>").append(Html.escape(timeUsage)).append("</code></td><td>")
        .append(Html.escape(timeHelp)).append("</td></tr>");
    text.append("\nIn cells: Dcr.dataset(name).table(), .synthetic(), .dp().mean(column, ε),"
        + " .dp().where(column, category).by(column).count(ε), Dcr.budget(), Dcr.output(name), display(x).");
    DisplayData data = new DisplayData(text.toString());
    data.putHTML(html.append("</tbody></table>").toString());
    return data;
  }

  private Object maven(List<String> args) {
    if (args.isEmpty()) {
      throw new MagicException("missing_argument", "%maven needs coordinates, such as"
          + " %maven org.apache.commons:commons-math3:3.6.1, or --list for the libraries added so far");
    }
    if (args.equals(List.of("--list"))) {
      return lockDisplay("Libraries added with %maven in this session:");
    }
    args.stream().filter(a -> a.startsWith("-")).findFirst().ifPresent(option -> {
      throw new MagicException("unknown_option", "Unknown option " + option + "; usage: " + magics.get("maven").usage()
          + ", or %maven --list");
    });
    if (Dcr.stage() == Stage.EXECUTION) {
      return fromImage(args);
    }
    if (libraries == null) {
      libraries = NotebookLibraries.fromEnvironment(environment);
    }
    NotebookLibraries.Resolution resolution;
    try {
      resolution = libraries.resolve(args, System.err::println);
    } catch (NotebookLibraries.ResolutionException e) {
      throw new MagicException("unresolved", e.getMessage());
    }
    if (!resolution.conflicts().isEmpty()) {
      StringBuilder warning = new StringBuilder("Warning: the kernel's bundle already has other versions of these"
          + " libraries, and cells see the bundle's (the bundle's classes are found first); they were not added:");
      resolution.conflicts().forEach(c -> warning.append("\n  ").append(c.describe()));
      warning.append("\nUse the bundled version's coordinates to silence this, or ask your operator for a bundle with"
          + " the version you need.");
      System.err.println(warning);
    }
    requested.addAll(args.stream().filter(a -> !requested.contains(a)).toList());
    List<NotebookLibraries.Jar> added = new ArrayList<>();
    for (NotebookLibraries.Jar jar : resolution.jars()) {
      if (locked.putIfAbsent(jar.coordinates(), jar) == null) {
        classPath.accept(jar.file());
        added.add(jar);
      }
    }
    StringBuilder heading = new StringBuilder(String.format("Added %d %s to the cells that follow", added.size(),
        added.size() == 1 ? "jar" : "jars"));
    if (!resolution.alreadyBundled().isEmpty()) {
      heading.append(" (already in the kernel's bundle: ").append(String.join(", ", resolution.alreadyBundled()))
          .append(")");
    }
    return lockDisplay(heading.append(". The notebook's lock, saved with this output:").toString());
  }

  /**
   * {@code %maven} in stage 2, which runs offline: the image holds the submitted lock's jars in one folder; each
   * requested library must be there, and then every jar of the folder (the lock: the libraries and their
   * dependencies) is added, as in stage 1 after the notebook's {@code %maven} cells.
   */
  private Object fromImage(List<String> args) {
    if (!environment.containsKey(LIBRARIES_VARIABLE)) {
      throw new MagicException("not_in_image", "%maven in stage 2 takes the jars from the job's image, and this kernel"
          + " was started without the image's library folder (" + LIBRARIES_VARIABLE + "); stage 2 downloads nothing.");
    }
    Path folder = Path.of(environment.get(LIBRARIES_VARIABLE));
    for (String coordinates : args) {
      String name;
      try {
        name = NotebookLock.fileNameOf(coordinates);
      } catch (IllegalArgumentException e) {
        throw new MagicException("unresolved", e.getMessage());
      }
      if (!Files.isRegularFile(folder.resolve(name))) {
        throw new MagicException("not_in_image", coordinates + " is not in this job's image: stage 2 runs offline with"
            + " the jars of the lock the notebook was submitted with. Run this %maven cell in stage 1, save the notebook"
            + " (its outputs keep the lock) and submit it again.");
      }
    }
    List<String> added = new ArrayList<>();
    try (var files = Files.list(folder)) {
      for (Path jar : files.sorted().toList()) {
        if (imageJarsAdded.add(jar.getFileName().toString())) {
          classPath.accept(jar);
          added.add(jar.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new MagicException("not_in_image", "Tried to read the image's library folder " + folder + " but failed"
          + " because: " + e.getMessage());
    }
    return new DisplayData("Added " + added.size() + (added.size() == 1 ? " jar" : " jars") + " from the job's image"
        + " (stage 2 downloads nothing): " + String.join(", ", added));
  }

  /** The lock as text for people and as JSON that the saved notebook carries in this output. */
  private DisplayData lockDisplay(String heading) {
    StringBuilder text = new StringBuilder(heading);
    JsonArray artifacts = new JsonArray();
    locked.values().forEach(jar -> {
      text.append(String.format("%n  %-60s sha256 %s", jar.coordinates(), jar.sha256()));
      JsonObject artifact = new JsonObject();
      artifact.addProperty("coordinates", jar.coordinates());
      artifact.addProperty("sha256", jar.sha256());
      artifacts.add(artifact);
    });
    if (locked.isEmpty()) {
      text.append("\n  (none; %maven group:artifact:version adds one)");
    }
    JsonObject lock = new JsonObject();
    JsonArray requestedJson = new JsonArray();
    requested.forEach(requestedJson::add);
    lock.add("requested", requestedJson);
    lock.addProperty("repository", libraries == null ? "" : libraries.repository().toString());
    lock.add("artifacts", artifacts);
    DisplayData data = new DisplayData(text.toString());
    data.putData(LOCK_MIME_TYPE, lock);
    return data;
  }

  private Object datasets() {
    if (Dcr.stage() == Stage.EXECUTION) {
      return new DisplayData("Datasets of this job (stage 2, real rows): " + String.join(", ", Dcr.datasets()));
    }
    List<DatasetInfo> infos = Dcr.datasets().stream().map(name -> Dcr.dataset(name).info().orElseThrow()).toList();
    StringBuilder text = new StringBuilder(String.format("%-16s %-10s %-28s %-26s %s", "dataset", "owner", "views",
        "budget per scientist", "description"));
    StringBuilder html = new StringBuilder("<table><thead><tr><th>dataset</th><th>owner</th><th>views</th>"
        + "<th>budget per scientist</th><th>description</th></tr></thead><tbody>");
    for (DatasetInfo info : infos) {
      String views = String.join(", ", info.views());
      text.append(String.format("%n%-16s %-10s %-28s %-26s %s", info.name(), info.owner(), views,
          info.budgetPerScientist(), info.description()));
      html.append("<tr><td>").append(Html.escape(info.name())).append("</td><td>").append(Html.escape(info.owner()))
          .append("</td><td>").append(Html.escape(views)).append("</td><td>")
          .append(Html.escape(info.budgetPerScientist().toString())).append("</td><td>")
          .append(Html.escape(info.description())).append("</td></tr>");
    }
    DisplayData data = new DisplayData(text.toString());
    data.putHTML(html.append("</tbody></table>").toString());
    return data;
  }

  private Object submit(List<String> args) {
    if (Dcr.stage() == Stage.EXECUTION) {
      // The same notebook runs in both stages with no edit, so a %submit left in it does nothing here.
      return new DisplayData("Stage 2 (execution): this notebook is the submitted job; %submit does nothing here.");
    }
    Optional<String> named = Optional.empty();
    List<String> datasets = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--dataset")) {
        if (i + 1 >= args.size()) {
          throw new MagicException("missing_argument", "--dataset needs a dataset name, such as --dataset insurance");
        }
        datasets.add(args.get(++i));
      } else if (arg.startsWith("-")) {
        throw new MagicException("unknown_option", "Unknown option " + arg + "; usage: " + magics.get("submit").usage());
      } else if (named.isPresent()) {
        throw new MagicException("too_many_arguments", "%submit sends one notebook; got " + named.get() + " and " + arg);
      } else {
        named = Optional.of(arg);
      }
    }
    JobBridgeClient client = client("submit");
    NotebookFile notebook = NotebookFile.read(named, environment);
    if (datasets.isEmpty()) {
      datasets.addAll(notebook.datasetsOpened());
    }
    if (datasets.isEmpty()) {
      throw new MagicException("no_dataset", notebook.fileName() + " opens no dataset with Dcr.dataset(\"name\");"
          + " name the ones it reads: %submit --dataset insurance");
    }
    warnOfHiddenCode(notebook);
    JobBridgeClient.Job job = client.submit(notebook.bytes(), notebook.fileName(), datasets);
    String saved = DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneId.systemDefault())
        .format(notebook.savedAt().truncatedTo(ChronoUnit.SECONDS));
    String text = String.format("Submitted %s (%,d bytes, as saved at %s; save first to include later edits) as job"
        + " %s, reading %s.%n%s%nFollow it with %%job %s; once released, %%outputs %s downloads its outputs and report.",
        notebook.fileName(), notebook.bytes().length, saved, job.id(), String.join(", ", job.datasets()),
        waitingFor(job), job.id(), job.id());
    DisplayData data = new DisplayData(text);
    data.putHTML("<p>Submitted <code>" + Html.escape(notebook.fileName()) + "</code> as job <b>"
        + Html.escape(job.id()) + "</b> (state " + Html.escape(job.state()) + "), as saved at " + Html.escape(saved)
        + ". " + Html.escape(waitingFor(job)) + "</p><p>Follow it with <code>%job " + Html.escape(job.id())
        + "</code>; once released, <code>%outputs " + Html.escape(job.id()) + "</code> fetches the outputs.</p>");
    return data;
  }

  /**
   * Names, on the cell's error stream and before the notebook leaves, each spot where JShell runs it otherwise than
   * it reads: the providers' review flags the same spots, and a dataset's policy may refuse the notebook for them.
   */
  private static void warnOfHiddenCode(NotebookFile notebook) {
    List<Finding> findings = notebook.review().stream().flatMap(cell -> cell.findings().stream()).toList();
    if (findings.isEmpty()) {
      return;
    }
    StringBuilder warning = new StringBuilder(String.format("Warning: JShell runs %s otherwise than it reads at %d %s"
        + " (Unicode escapes, bidirectional controls or invisible characters); the providers' review shows each, and a"
        + " dataset's policy may refuse the notebook for them:", notebook.fileName(), findings.size(),
        findings.size() == 1 ? "spot" : "spots"));
    findings.forEach(f -> warning.append("\n  ").append(f.describe()));
    warning.append("\nWrite each character as itself (a notebook is UTF-8) and delete the invisible ones, then save and"
        + " submit again.");
    System.err.println(warning);
  }

  private Object jobs() {
    List<JobBridgeClient.Job> jobs = client("jobs").jobs();
    if (jobs.isEmpty()) {
      return new DisplayData("No jobs yet; %submit sends this notebook.");
    }
    StringBuilder text = new StringBuilder(String.format("%-22s %-10s %-30s %-22s %s", "job", "state", "notebook",
        "submitted", "waiting for"));
    StringBuilder html = new StringBuilder("<table><thead><tr><th>job</th><th>state</th><th>notebook</th>"
        + "<th>submitted</th><th>waiting for</th></tr></thead><tbody>");
    for (JobBridgeClient.Job job : jobs) {
      String waiting = waitingFor(job);
      text.append(String.format("%n%-22s %-10s %-30s %-22s %s", job.id(), job.state(), job.name(), job.submittedAt(),
          waiting));
      html.append("<tr><td>").append(Html.escape(job.id())).append("</td><td>").append(Html.escape(job.state()))
          .append("</td><td>").append(Html.escape(job.name())).append("</td><td>").append(Html.escape(job.submittedAt()))
          .append("</td><td>").append(Html.escape(waiting)).append("</td></tr>");
    }
    DisplayData data = new DisplayData(text.toString());
    data.putHTML(html.append("</tbody></table>").toString());
    return data;
  }

  private Object job(String id) {
    JobBridgeClient client = client("job");
    JobBridgeClient.Job job = client.job(id);
    StringBuilder text = new StringBuilder(String.format("Job %s (%s): %s%s%n%s", job.id(), job.name(), job.state(),
        job.reason().isBlank() ? "" : " — " + job.reason(), waitingFor(job)));
    if (job.state().equals("RELEASED")) {
      text.append("\nOutputs:");
      client.outputs(id).forEach(f -> text.append(String.format("%n  %-40s %,12d bytes  sha256 %s",
          f.path(), f.bytes(), f.sha256())));
      text.append("\n%outputs ").append(id).append(" downloads them with the report.");
    }
    List<JobBridgeClient.Comment> comments = client.comments(id);
    if (!comments.isEmpty()) {
      text.append("\nComments:");
      comments.forEach(c -> text.append(String.format("%n  %s %s%s: %s", c.at(), c.author(),
          c.output().isEmpty() ? "" : " on " + c.output(), c.body())));
    }
    return new DisplayData(text.toString());
  }

  /** Downloads a released job's outputs and report beside the notebook, and shows the small text ones. */
  private Object outputs(String id) {
    JobBridgeClient client = client("outputs");
    Path folder = Path.of(id); // job ids read job-..., so the folder says what it holds
    List<JobBridgeClient.OutputFile> files = client.outputs(id);
    StringBuilder text = new StringBuilder("Released outputs of job " + id + " in " + folder.toAbsolutePath() + ":");
    try {
      Files.createDirectories(folder);
      for (JobBridgeClient.OutputFile file : files) {
        Path target = folder.resolve(file.path()).normalize();
        if (!target.startsWith(folder)) {
          throw new MagicException("unsafe_output_path", "The bridge named an output outside the job's folder: "
              + file.path() + "; not written.");
        }
        byte[] bytes = client.download(id, file.path());
        Files.createDirectories(target.getParent());
        Files.write(target, bytes);
        text.append(String.format("%n  %-40s %,12d bytes", file.path(), bytes.length));
        if (bytes.length <= SHOWN_OUTPUT_BYTES && (file.path().endsWith(".json") || file.path().endsWith(".txt"))) {
          text.append("\n    ").append(new String(bytes, StandardCharsets.UTF_8).strip().replace("\n", "\n    "));
        }
      }
      Files.write(folder.resolve("report.json"), client.report(id));
    } catch (IOException e) {
      throw new MagicException("cannot_write", "Tried to write the outputs of job " + id + " into " + folder
          + " but failed because: " + e);
    }
    text.append("\n  report.json (the attestation report; check it with ./dcr verify)");
    return new DisplayData(text.toString());
  }

  private static final int SHOWN_OUTPUT_BYTES = 4096;

  private static String waitingFor(JobBridgeClient.Job job) {
    if (!job.approvalsPending().isEmpty()) {
      return "Waiting for the approval of " + String.join(", ", job.approvalsPending()) + ".";
    }
    if (!job.releasesPending().isEmpty() && job.state().equals("FINISHED")) {
      return "Finished; waiting for " + String.join(", ", job.releasesPending()) + " to release the outputs.";
    }
    return job.finished() ? "Done." : "Under way.";
  }

  private static String jobId(String magic, List<String> args) {
    if (args.size() != 1) {
      throw new MagicException("missing_argument", magic + " needs one job id, such as " + magic
          + " job-k3v9x2m4q7b1c8d5; %jobs lists yours");
    }
    String id = args.get(0);
    if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new MagicException("invalid_job_id", "'" + id + "' is not a job id; %jobs lists yours");
    }
    return id;
  }

  private JobBridgeClient client(String verb) {
    return bridge.orElseThrow(() -> new MagicException("no_job_bridge", "No job bridge configured (DCR_BRIDGE_URL"
        + " and DCR_TOKEN are not both set), so %" + verb + " cannot reach one. The clean room sets them when"
        + " JupyterHub starts your server; ask your operator, or run the notebook locally with ./dcr run-notebook."));
  }
}
