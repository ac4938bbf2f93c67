package dev.cleanroom.service.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for JupyterHub's {@code GET <prefix>/hub/api/user} on a loopback port (JupyterHub is a third-party
 * service; the services meet the real one in the jupyterhub-config tests): the model of the token in
 * {@code Authorization: token <t>}, 403 for a token it does not know, 404 off that path, or any status
 * {@link #failWith} sets.
 */
public final class StandInHub implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, JsonObject> models = new ConcurrentHashMap<>();
  private volatile int failWith;

  private StandInHub(HttpServer server) {
    this.server = server;
  }

  /** A hub whose API is under {@code prefix} ({@code ""} for the root, or such as {@code /prefix}). */
  public static StandInHub start(Vertx vertx, String prefix) throws Exception {
    StandInHub[] hub = new StandInHub[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      JsonObject model = hub[0].models.get(String.valueOf(req.getHeader("Authorization")));
      if (hub[0].failWith != 0) {
        req.response().setStatusCode(hub[0].failWith).end();
      } else if (!req.path().equals(prefix + "/hub/api/user")) {
        req.response().setStatusCode(404).end();
      } else if (model == null) {
        req.response().setStatusCode(403).end("{\"status\": 403}");
      } else {
        req.response().putHeader("Content-Type", "application/json").end(model.encode());
      }
    });
    hub[0] = new StandInHub(server);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return hub[0];
  }

  /** Answers {@code model} (such as {@code {"kind":"user","name":"alice","groups":[...]}}) for {@code token}. */
  public StandInHub token(String token, JsonObject model) {
    models.put("token " + token, model);
    return this;
  }

  /** Answers every request with {@code status}; 0 answers normally again. */
  public void failWith(int status) {
    failWith = status;
  }

  /** {@code path} on this hub, such as {@code /prefix/hub/api}. */
  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + path);
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
