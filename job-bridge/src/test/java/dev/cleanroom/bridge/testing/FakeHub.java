package dev.cleanroom.bridge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * JupyterHub's {@code GET /hub/api/user} on a loopback port, as much of it as the bridge uses: the user model
 * of the token in {@code Authorization: token <t>} (or {@code Bearer <t>}), 403 for an unknown token.
 */
public final class FakeHub implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, JsonObject> models = new ConcurrentHashMap<>();
  private final List<String> authorizationHeaders = new CopyOnWriteArrayList<>();
  private volatile int failWith;

  private FakeHub(HttpServer server) {
    this.server = server;
  }

  public static FakeHub start(Vertx vertx) throws Exception {
    FakeHub[] hub = new FakeHub[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      String header = request.getHeader("Authorization");
      hub[0].authorizationHeaders.add(header == null ? "" : header);
      if (hub[0].failWith != 0) {
        request.response().setStatusCode(hub[0].failWith).end();
        return;
      }
      String token = header == null ? "" : header.replaceFirst("^(token|Bearer) ", "");
      JsonObject model = hub[0].models.get(token);
      if (!request.path().equals("/hub/api/user") || model == null) {
        request.response().setStatusCode(403).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("status", 403).put("message", "Missing or invalid credentials.").encode());
        return;
      }
      request.response().putHeader("Content-Type", "application/json").end(model.encode());
    });
    hub[0] = new FakeHub(server);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return hub[0];
  }

  public URI apiUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/hub/api");
  }

  public void user(String token, String name, List<String> groups, List<String> roles) {
    models.put(token, new JsonObject().put("kind", "user").put("name", name).put("admin", false)
        .put("groups", new JsonArray(groups)).put("roles", new JsonArray(roles)).put("server", (String) null));
  }

  public void service(String token, String name) {
    models.put(token, new JsonObject().put("kind", "service").put("name", name).put("roles", new JsonArray()));
  }

  /** Answers every request with this status (0: answer normally again). */
  public void failWith(int status) {
    failWith = status;
  }

  public List<String> authorizationHeaders() {
    return List.copyOf(authorizationHeaders);
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
