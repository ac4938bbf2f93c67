package dev.cleanroom.bridge.http;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.auth.Authenticator;
import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.auth.HubLogin;
import dev.cleanroom.bridge.job.JobId;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.job.Notebook;
import dev.cleanroom.bridge.metrics.Metrics;
import dev.cleanroom.bridge.service.Download;
import dev.cleanroom.bridge.service.JobService;
import dev.cleanroom.bridge.service.Submission;
import dev.cleanroom.service.http.ApiContract;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The job bridge over HTTP: routes come from the OpenAPI contract ({@value #CONTRACT}, served at
 * {@code /openapi.yaml}), which also validates every request; handlers map requests to {@link JobService} calls
 * and results to JSON. Nothing here decides who may do what beyond "is this a valid token".
 *
 * <p>A {@code /v1} request is signed in by {@code Authorization: Bearer <token>} (or JupyterHub's
 * {@code token <token>}) or, when the bridge logs in through JupyterHub, by the web UI's session cookie
 * ({@link HubLoginEndpoints}, which also guards cookie requests against cross-site forgery).
 *
 * <p>Also serves the web UI ({@code /ui/}), the metrics ({@code /metrics}), the deployment's trust file
 * ({@code /trust.json}) and the health check. Every request
 * ends in one access-log line naming the user, never the token; every refusal is JSON
 * {@code {"code","message"}}.
 */
public final class BridgeServer {
  public static final String CONTRACT = "dev/cleanroom/bridge/http/job-bridge.yaml";
  public static final String UI = "dev/cleanroom/bridge/ui";
  /** Bodies other than a notebook (comments, reports) are small. */
  private static final int SLACK_BYTES = 64 * 1024;

  private static final String CALLER = "dcr.caller";
  private static final String CODE = "dcr.code";

  private final HttpServer server;

  private BridgeServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Where and how the bridge listens.
   *
   * @param basePath a prefix for every path ({@code /services/bridge} behind JupyterHub's proxy), or empty
   * @param maxNotebookBytes the largest notebook; request bodies are capped a little above it
   */
  /** @param trustFile the deployment's trust file, served as it is at {@code /trust.json} */
  public record Options(String host, int port, String basePath, long maxNotebookBytes, String trustFile) {
    public Options {
      if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
        throw new IllegalArgumentException("the base path starts with / and does not end with one, e.g. /services/bridge");
      }
    }
  }

  /** Starts serving; port 0 picks a free one. */
  public static Future<BridgeServer> start(Vertx vertx, JobService service, Authenticator authenticator,
      Optional<HubLogin> hubLogin, Metrics metrics, Options options, Consumer<String> accessLog) {
    ApiContract contract = ApiContract.load(BridgeServer.class, CONTRACT);
    Handlers handlers = new Handlers(service, authenticator, new HubLoginEndpoints(hubLogin, options.basePath()),
        metrics, options, contract, accessLog);
    return contract.routerBuilder(vertx, options.basePath())
        .map(handlers::router)
        .compose(api -> {
          Router root = api;
          if (!options.basePath().isEmpty()) {
            root = Router.router(vertx);
            root.route(options.basePath() + "/*").subRouter(api);
            root.route().handler(ctx -> handlers.fail(ctx, new BridgeException("not_found", 404,
                "The bridge serves under " + options.basePath() + "/"))).failureHandler(handlers::refuse);
          }
          return vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port()))
              .requestHandler(root)
              .listen();
        })
        .map(BridgeServer::new);
  }

  public int port() {
    return server.actualPort();
  }

  /** Stops accepting requests and ends those under way within {@code grace}. */
  public Future<Void> close(Duration grace) {
    return server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  private record Handlers(JobService service, Authenticator authenticator, HubLoginEndpoints logins, Metrics metrics,
      Options options, ApiContract contract, Consumer<String> accessLog) {

    Router router(RouterBuilder builder) {
      // Vert.x runs a route's handlers in this order: platform (the access log, which must see every request),
      // then the capped body, then authentication; the contract's validation comes after these.
      PlatformHandler logAccess = this::logAccess;
      builder
          .rootHandler(logAccess)
          .rootHandler(BodyHandler.create(false).setBodyLimit(options.maxNotebookBytes() + SLACK_BYTES))
          .rootHandler(this::authenticate);
      route(builder, "health", ctx -> service.jobCounts()
          .onSuccess(counts -> json(ctx, 200, new JsonObject().put("status", "ok").encode().getBytes(StandardCharsets.UTF_8)))
          .onFailure(e -> fail(ctx, e)));
      route(builder, "metrics", ctx -> service.jobCounts()
          .onSuccess(counts -> ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
              .end(metrics.render(counts)))
          .onFailure(e -> fail(ctx, e)));
      route(builder, "contract", contract.publish());
      route(builder, "trustFile", ctx -> json(ctx, 200, options.trustFile().getBytes(StandardCharsets.UTF_8)));
      route(builder, "hubLogin", logins::start);
      route(builder, "hubLoginCallback", logins::finish);
      route(builder, "logout", logins::end);
      route(builder, "whoAmI", ctx -> json(ctx, 200, JsonViews.bytes(JsonViews.caller(caller(ctx)))));
      route(builder, "listDatasets", ctx -> respond(ctx, service.datasets(caller(ctx))
          .map(list -> JsonViews.array(list, JsonViews::dataset))));
      route(builder, "listJobs", ctx -> respond(ctx, service.list(caller(ctx),
          query(ctx, "state").map(JobState::valueOf), query(ctx, "limit").map(Integer::parseInt).orElse(100))
          .map(jobs -> JsonViews.array(jobs, job -> JsonViews.job(job, caller(ctx))))));
      route(builder, "submitJob", this::submit);
      route(builder, "getJob", ctx -> respond(ctx, service.get(caller(ctx), id(ctx)).map(job -> JsonViews.job(job, caller(ctx)))));
      route(builder, "getTimeline", ctx -> respond(ctx, service.timeline(caller(ctx), id(ctx))
          .map(events -> JsonViews.array(events, JsonViews::event))));
      route(builder, "getLogs", ctx -> service.timeline(caller(ctx), id(ctx))
          .onSuccess(events -> ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
              .end(events.stream().map(e -> e.at() + " " + e.line()).collect(Collectors.joining("\n", "", "\n"))))
          .onFailure(e -> fail(ctx, e)));
      route(builder, "cancelJob", ctx -> respond(ctx, service.cancel(caller(ctx), id(ctx), comment(ctx)).map(job -> JsonViews.job(job, caller(ctx)))));
      route(builder, "approveJob", ctx -> respond(ctx, service.approve(caller(ctx), id(ctx), comment(ctx)).map(job -> JsonViews.job(job, caller(ctx)))));
      route(builder, "rejectJob", ctx -> respond(ctx, service.reject(caller(ctx), id(ctx), comment(ctx)).map(job -> JsonViews.job(job, caller(ctx)))));
      route(builder, "releaseOutputs", ctx -> respond(ctx, service.release(caller(ctx), id(ctx), comment(ctx)).map(job -> JsonViews.job(job, caller(ctx)))));
      route(builder, "withholdOutputs", ctx -> respond(ctx, service.withhold(caller(ctx), id(ctx), comment(ctx)).map(job -> JsonViews.job(job, caller(ctx)))));
      route(builder, "listOutputs", ctx -> respond(ctx, service.outputs(caller(ctx), id(ctx))
          .map(files -> JsonViews.array(files, JsonViews::output))));
      route(builder, "downloadOutput", ctx -> download(ctx, service.output(caller(ctx), id(ctx), query(ctx, "path").orElse(""),
          query(ctx, "as").filter("released"::equals).isPresent())));
      route(builder, "getOutputChecks", ctx -> download(ctx, service.checks(caller(ctx), id(ctx))));
      route(builder, "listComments", ctx -> respond(ctx, service.comments(caller(ctx), id(ctx))
          .map(comments -> JsonViews.array(comments, JsonViews::comment))));
      route(builder, "addComment", ctx -> {
        JsonObject body = ctx.body().asJsonObject();
        service.comment(caller(ctx), id(ctx), Optional.ofNullable(body.getString("output")), body.getString("body").strip())
            .onSuccess(comment -> json(ctx, 201, JsonViews.bytes(JsonViews.comment(comment))))
            .onFailure(e -> fail(ctx, e));
      });
      route(builder, "downloadNotebook", ctx -> download(ctx, service.notebook(caller(ctx), id(ctx))));
      route(builder, "getReview", ctx -> respond(ctx, service.review(caller(ctx), id(ctx))
          .map(review -> JsonViews.review(id(ctx), review))));
      route(builder, "downloadReport", ctx -> download(ctx, service.report(caller(ctx), id(ctx))));
      route(builder, "verifyJob", ctx -> respond(ctx, service.verify(caller(ctx), id(ctx)).map(JsonViews::verification)));
      route(builder, "verifyReport", ctx -> respond(ctx, service.verifyUpload(caller(ctx), ctx.body().buffer().getBytes())
          .map(JsonViews::verification)));
      route(builder, "auditLog", ctx -> respond(ctx, service.audit(caller(ctx), query(ctx, "job"),
          query(ctx, "limit").map(Integer::parseInt).orElse(200)).map(entries -> JsonViews.array(entries, JsonViews::audit))));

      Router router = builder.createRouter();
      router.get("/").handler(ctx -> ctx.redirect(options.basePath() + "/ui/"));
      router.route("/ui/*").handler(ctx -> {
        // The UI's pages load only their own scripts and styles; outputs are never rendered as pages.
        ctx.response()
            .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; object-src 'none';"
                + " frame-ancestors 'none'; base-uri 'none'")
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Referrer-Policy", "no-referrer");
        ctx.next();
      }).handler(StaticHandler.create(UI).setIndexPage("index.html").setDefaultContentEncoding("UTF-8"));
      router.route().failureHandler(this::refuse);
      for (int status : new int[] {404, 405, 406, 413, 415, 500}) {
        router.errorHandler(status, this::refuse);
      }
      return router;
    }

    private void route(RouterBuilder builder, String operationId, Handler<RoutingContext> handler) {
      contract.route(builder, operationId, handler);
    }

    private void submit(RoutingContext ctx) {
      Submission submission = new Submission(query(ctx, "name").orElse("notebook.ipynb"), ctx.queryParam("dataset"),
          ctx.body().buffer().getBytes());
      service.submit(caller(ctx), submission)
          .onSuccess(job -> {
            ctx.response().putHeader(HttpHeaders.LOCATION, options.basePath() + "/v1/jobs/" + job.id());
            json(ctx, 201, JsonViews.bytes(JsonViews.job(job, caller(ctx))));
          })
          .onFailure(e -> fail(ctx, e));
    }

    private static Optional<String> query(RoutingContext ctx, String name) {
      List<String> values = ctx.queryParam(name);
      return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static String id(RoutingContext ctx) {
      return ctx.pathParam("id");
    }

    private static String comment(RoutingContext ctx) {
      if (ctx.body() == null || ctx.body().length() == 0) {
        return "";
      }
      JsonObject body = ctx.body().asJsonObject();
      return body == null ? "" : body.getString("comment", "").strip();
    }

    /**
     * Signs a {@code /v1} request in: by its {@code Authorization} header if it has one (the cookie is then not
     * looked at), else by the session cookie. Either way the token goes through the one authenticator.
     */
    private void authenticate(RoutingContext ctx) {
      if (!ctx.request().path().startsWith(options.basePath() + "/v1/")) {
        ctx.next();
        return;
      }
      String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      if (header != null) {
        String token = headerToken(header);
        if (token.isEmpty()) {
          unauthorized(ctx, false);
        } else {
          signIn(ctx, token, Optional.empty());
        }
        return;
      }
      Optional<String> session = logins.sessionId(ctx);
      Optional<String> token = session.flatMap(logins::sessionToken);
      if (token.isEmpty()) {
        session.ifPresent(ended -> logins.forgetSession(ctx));
        unauthorized(ctx, logins.available());
      } else if (!HubLoginEndpoints.passesCsrfCheck(ctx)) {
        fail(ctx, HubLoginEndpoints.csrfRefused());
      } else {
        signIn(ctx, token.get(), session);
      }
    }

    /** The token of {@code Bearer <token>}, or of {@code token <token>} as JupyterHub and its servers send it. */
    private static String headerToken(String header) {
      for (String scheme : new String[] {"Bearer ", "token "}) {
        if (header.regionMatches(true, 0, scheme, 0, scheme.length())) {
          return header.substring(scheme.length()).strip();
        }
      }
      return "";
    }

    private void signIn(RoutingContext ctx, String token, Optional<String> session) {
      authenticator.authenticate(token).onComplete(result -> {
        if (result.failed()) {
          // The cause names the hub's URL, never the token: the operator of a misconfigured hub URL sees why.
          fail(ctx, new BridgeException("authenticator_unavailable", 503,
              "The bridge could not check the token with JupyterHub (" + result.cause().getMessage()
                  + "); try again shortly"));
        } else if (result.result().isEmpty()) {
          // A session whose hub token was revoked or expired is over: the UI logs in again.
          session.ifPresent(id -> logins.endSession(ctx, id));
          unauthorized(ctx, session.isPresent());
        } else {
          ctx.put(CALLER, result.result().get());
          ctx.next();
        }
      });
    }

    /**
     * 401. {@code login_required} when the caller brought no credentials (or a session that is over) and may log
     * in through JupyterHub: the web UI then goes to {@code /oauth_login}; {@code unauthorized} otherwise.
     */
    private void unauthorized(RoutingContext ctx, boolean mayLogIn) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      fail(ctx, mayLogIn
          ? new BridgeException("login_required", 401, "Not logged in; log in through JupyterHub at "
              + options.basePath() + "/oauth_login, or send 'Authorization: Bearer <token>' with your JupyterHub API token")
          : new BridgeException("unauthorized", 401,
              "Missing or unknown bearer token; send 'Authorization: Bearer <token>' with your JupyterHub API token"));
    }

    private static Caller caller(RoutingContext ctx) {
      return ctx.get(CALLER);
    }

    private void respond(RoutingContext ctx, Future<?> result) {
      result.onSuccess(value -> json(ctx, 200, JsonViews.bytes(value))).onFailure(e -> fail(ctx, e));
    }

    private void download(RoutingContext ctx, Future<Download> result) {
      result.onSuccess(file -> ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, file.contentType())
              .putHeader("Content-Disposition", "attachment; filename=\"" + file.fileName().replaceAll("[^A-Za-z0-9._ ()-]", "_") + "\"")
              .putHeader("X-Content-Type-Options", "nosniff")
              .putHeader("Content-Security-Policy", "sandbox; default-src 'none'")
              .end(Buffer.buffer(file.content())))
          .onFailure(e -> fail(ctx, e));
    }

    private static void json(RoutingContext ctx, int status, byte[] body) {
      ctx.response()
          .setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(Buffer.buffer(body));
    }

    void fail(RoutingContext ctx, Throwable failure) {
      if (!ctx.failed()) {
        ctx.fail(failure);
      }
    }

    /** Every refusal and failure, as {@code {"code","message"}}. */
    private void refuse(RoutingContext ctx) {
      BridgeException error = refusal(ctx);
      ctx.put(CODE, error.code());
      if (ctx.response().headWritten()) {
        ctx.response().reset();
        return;
      }
      json(ctx, error.httpStatus(), JsonViews.bytes(JsonViews.error(error)));
    }

    private BridgeException refusal(RoutingContext ctx) {
      Throwable failure = ctx.failure();
      if (failure instanceof BridgeException refusal) {
        return refusal;
      }
      if (failure instanceof IOException) {
        log(ctx, failure);
        return new BridgeException("storage_unavailable", 503, "The bridge could not read or write its storage;"
            + " retry shortly (its log has the details)");
      }
      int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
      boolean submitting = ctx.request().method().name().equals("POST")
          && ctx.request().path().equals(options.basePath() + "/v1/jobs");
      return switch (status) {
        case 400 -> invalidRequest(ctx, failure, submitting);
        case 404 -> new BridgeException("not_found", 404, "No such endpoint; the API is described at /openapi.yaml");
        case 405 -> new BridgeException("method_not_allowed", 405,
            "This endpoint does not take that method; the API is described at /openapi.yaml");
        case 413 -> submitting
            ? new BridgeException("notebook_too_large", 413, "The notebook is larger than the limit of "
                + options.maxNotebookBytes() + " bytes; clear its outputs and submit again")
            : new BridgeException("body_too_large", 413, "Request bodies are limited to "
                + (options.maxNotebookBytes() + SLACK_BYTES) + " bytes");
        case 415 -> new BridgeException("unsupported_media_type", 415, "Send JSON, with 'Content-Type: application/json'");
        default -> {
          log(ctx, failure);
          yield new BridgeException("internal_error", 500, "The bridge failed on this request; its log has the details");
        }
      };
    }

    private static void log(RoutingContext ctx, Throwable failure) {
      if (failure != null) {
        System.getLogger(BridgeServer.class.getName())
            .log(System.Logger.Level.ERROR, "request failed: " + printable(ctx.request().path()), failure);
      }
    }

    /**
     * A request the contract refuses, said in the words of what was wrong: a job id that is not one, a
     * submitted body that is not a notebook (read again by {@link Notebook#parse} for its reason), or else the
     * validator's reason.
     */
    private BridgeException invalidRequest(RoutingContext ctx, Throwable failure, boolean submitting) {
      String id = ctx.pathParam("id");
      if (id != null && !JobId.isValid(id)) {
        return new BridgeException("invalid_job_id", 400, "'" + printable(id) + "' is not a job id; job ids look like"
            + " job-k3v9x2m4q7b1c8d5");
      }
      if (submitting && ctx.body() != null && ctx.body().length() > 0) {
        String type = Optional.ofNullable(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)).orElse("");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
          return new BridgeException("invalid_notebook", 400,
              "Send the notebook file as the body with 'Content-Type: application/json'");
        }
        try {
          Notebook.parse(ctx.body().buffer().getBytes(), Long.MAX_VALUE);
        } catch (BridgeException reason) {
          return reason;
        }
      }
      String reason = Optional.ofNullable(failure)
          .map(f -> f.getCause() != null ? f.getCause() : f)
          .map(Throwable::getMessage)
          .orElse("it does not match the API contract");
      return new BridgeException("invalid_request", 400, "Invalid request: " + reason + " (the API: /openapi.yaml)");
    }

    /** One line per request, written when the response ends; with the route's metrics. */
    private void logAccess(RoutingContext ctx) {
      long start = System.nanoTime();
      ctx.addEndHandler(ended -> {
        long nanos = System.nanoTime() - start;
        Caller caller = caller(ctx);
        String code = ctx.get(CODE);
        int status = ctx.response().getStatusCode();
        metrics.request(ctx.request().method().name(), operation(ctx), status, nanos);
        accessLog.accept("access user=" + (caller == null ? "-" : caller.name())
            + " method=" + ctx.request().method().name()
            + " path=" + printable(ctx.request().path())
            + " status=" + status
            + (code == null ? "" : " code=" + code)
            + " ms=" + nanos / 1_000_000);
      });
      ctx.next();
    }

    private static String operation(RoutingContext ctx) {
      if (ctx.currentRoute() != null
          && ctx.currentRoute().getMetadata(RouterBuilder.KEY_META_DATA_OPERATION) instanceof Operation op) {
        return op.getOperationId();
      }
      return ctx.request().path().contains("/ui/") ? "ui" : "other";
    }

    /** Request-controlled text, cut short and without control characters, so a log line stays one line. */
    private static String printable(String text) {
      String cut = text.length() > 200 ? text.substring(0, 200) + "…" : text;
      return cut.replaceAll("[\\p{Cntrl}\"]", "?");
    }
  }
}
