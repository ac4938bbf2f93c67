package dev.cleanroom.bridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver protocol, as much of it as the UI tests use: open
 * a page, find elements by CSS, click, type, read text, take screenshots. Debian's {@code chromium} and
 * {@code chromium-driver} (installed by {@code ./dcr test}); loopback only; a fresh profile per browser.
 */
public final class Browser implements AutoCloseable {
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final Process driver;
  private final URI session;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Path profile;

  private Browser(Process driver, URI session, Path profile) {
    this.driver = driver;
    this.session = session;
    this.profile = profile;
  }

  public static Browser start(Path scratch) throws Exception {
    String chromedriver = Files.isExecutable(Path.of("/usr/bin/chromedriver")) ? "/usr/bin/chromedriver" : "chromedriver";
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = scratch.resolve("chromedriver.log");
    Process driver = new ProcessBuilder(chromedriver, "--port=" + port, "--allowed-ips=127.0.0.1")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    URI base = URI.create("http://127.0.0.1:" + port + "/");
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(base.resolve("status")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (JSON.readTree(status.body()).path("value").path("ready").asBoolean()) {
          break;
        }
      } catch (IOException notYet) {
        // chromedriver is still starting
      }
      if (System.nanoTime() > deadline || !driver.isAlive()) {
        driver.destroyForcibly();
        throw new AssertionError("chromedriver did not start: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    Path profile = Files.createTempDirectory(scratch, "chromium-profile");
    ObjectNode capabilities = JSON.createObjectNode();
    ObjectNode always = capabilities.putObject("capabilities").putObject("alwaysMatch");
    always.put("browserName", "chrome");
    ObjectNode chrome = always.putObject("goog:chromeOptions");
    chrome.put("binary", Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : "chromium");
    var args = chrome.putArray("args");
    for (String flag : List.of("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1400,1000", "--user-data-dir=" + profile)) {
      args.add(flag);
    }
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(base.resolve("session"))
        .POST(HttpRequest.BodyPublishers.ofString(capabilities.toString())).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    String id = JSON.readTree(created.body()).path("value").path("sessionId").asText();
    if (id.isEmpty()) {
      driver.destroyForcibly();
      throw new AssertionError("chromedriver did not open a session: " + created.body());
    }
    return new Browser(driver, base.resolve("session/" + id + "/"), profile);
  }

  private JsonNode command(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(session.resolve(path));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
          .header("Content-Type", "application/json");
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode value = JSON.readTree(response.body()).path("value");
    if (response.statusCode() != 200) {
      throw new WebDriverException(value.path("error").asText(), value.path("message").asText());
    }
    return value;
  }

  /** A WebDriver error ({@code no such element}, ...). */
  public static final class WebDriverException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String error;

    WebDriverException(String error, String message) {
      super(error + ": " + message);
      this.error = error;
    }

    public String error() {
      return error;
    }
  }

  public void open(URI url) throws Exception {
    command("POST", "url", java.util.Map.of("url", url.toString()));
  }

  /** The first element matching {@code css} that shows, waiting for it up to 20 s. */
  public String find(String css) throws Exception {
    return await("an element " + css, () -> unlessStale(() -> {
      for (JsonNode e : command("POST", "elements", java.util.Map.of("using", "css selector", "value", css))) {
        String id = e.path(ELEMENT).asText();
        if (command("GET", "element/" + id + "/displayed", null).asBoolean()) {
          return Optional.of(id);
        }
      }
      return Optional.empty();
    }));
  }

  public void click(String css) throws Exception {
    act(css, "click", java.util.Map.of());
  }

  public void type(String css, String text) throws Exception {
    act(css, "value", java.util.Map.of("text", text));
  }

  /** Does {@code action} on the element {@code css} finds, finding it again if the page re-rendered it meanwhile. */
  private void act(String css, String action, Object body) throws Exception {
    await("to " + action + " " + css, () -> unlessStale(() -> {
      command("POST", "element/" + find(css) + "/" + action, body);
      return Optional.of(action);
    }));
  }

  /** An element found a moment ago that the page has since replaced counts as not found yet. */
  private static Optional<String> unlessStale(Attempt attempt) throws Exception {
    try {
      return attempt.get();
    } catch (WebDriverException e) {
      if (e.error().equals("stale element reference")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public String text(String css) throws Exception {
    return command("GET", "element/" + find(css) + "/text", null).asText();
  }

  /** Waits until the text of {@code css} contains {@code expected}; returns that text. */
  public String awaitText(String css, String expected) throws Exception {
    return await("'" + expected + "' in " + css, () -> {
      try {
        String text = command("GET", "element/" + find(css) + "/text", null).asText();
        return text.contains(expected) ? Optional.of(text) : Optional.empty();
      } catch (WebDriverException stale) {
        return Optional.empty(); // the page re-rendered under us
      }
    });
  }

  /** Picks the option with {@code value} in the select {@code css} (fires its change event). */
  public void select(String css, String value) throws Exception {
    command("POST", "execute/sync", java.util.Map.of("script",
        "const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change'));",
        "args", List.of(css, value)));
  }

  /** Scrolls the first element matching {@code css} into view, for a screenshot of it. */
  public void scrollTo(String css) throws Exception {
    find(css);
    command("POST", "execute/sync", java.util.Map.of("script",
        "document.querySelector(arguments[0]).scrollIntoView()", "args", List.of(css)));
  }

  public void screenshot(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(command("GET", "screenshot", null).asText()));
  }

  private interface Attempt {
    Optional<String> get() throws Exception;
  }

  private static String await(String what, Attempt attempt) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> found = attempt.get();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("waited " + WAIT.toSeconds() + " s in vain for " + what);
  }

  @Override
  public void close() throws Exception {
    // Chromium's processes, taken before chromedriver goes: Chromium writes into its profile while it exits,
    // and the test's folder can be deleted only once they are gone.
    List<ProcessHandle> chromium = driver.descendants().toList();
    try {
      command("DELETE", "", null);
    } catch (Exception e) {
      // the browser is going away anyway
    } finally {
      driver.destroy();
      driver.waitFor(10, TimeUnit.SECONDS);
      // Some (such as the crash reporter) outlive the session; they are ours to end.
      chromium.forEach(ProcessHandle::destroy);
      for (ProcessHandle process : chromium) {
        try {
          process.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stillThere) {
          process.destroyForcibly();
          process.onExit().get(5, TimeUnit.SECONDS);
        }
      }
      http.close();
    }
  }

  public Path profile() {
    return profile;
  }
}
