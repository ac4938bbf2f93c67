package dev.cleanroom.dp.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.client.WireFormat;
import dev.cleanroom.service.http.ApiContract;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The DP query service over HTTP: routes come from the OpenAPI contract ({@value #CONTRACT}, served at
 * {@code /openapi.yaml}), which also validates every request; handlers map requests to
 * {@link DpQueryService} calls and results to JSON. Nothing here decides who may do what.
 *
 * <p>Every request ends in JSON ({@code {"code","message"[,"remaining"]}} when refused) and in one
 * access-log line naming the user, dataset, query and status, never the token.
 */
public final class DpQueryServer {
  public static final String CONTRACT = "dev/cleanroom/dp/service/dp-query-service.yaml";
  /** Queries are a few hundred bytes; anything near this is not a query. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final String USER = "dcr.user";
  private static final String QUERY = "dcr.query";
  private static final String CODE = "dcr.code";

  private final HttpServer server;

  private DpQueryServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving on {@code host:port} (port 0 picks a free one).
   *
   * @param accessLog receives one line per request
   */
  public static Future<DpQueryServer> start(Vertx vertx, DpQueryService service, Authenticator authenticator,
      String host, int port, Consumer<String> accessLog) {
    ApiContract contract = ApiContract.load(DpQueryServer.class, CONTRACT);
    Handlers handlers = new Handlers(service, authenticator, contract, accessLog);
    return contract.routerBuilder(vertx, "")
        .map(handlers::router)
        .compose(router -> vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
            .requestHandler(router)
            .listen())
        .map(DpQueryServer::new);
  }

  public int port() {
    return server.actualPort();
  }

  /**
   * Stops accepting requests and closes every connection within {@code grace}; a query cut off after
   * its charge stays charged without an answer, the safe way to lose one.
   */
  public Future<Void> close(Duration grace) {
    return server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  private record Handlers(
      DpQueryService service, Authenticator authenticator, ApiContract contract, Consumer<String> accessLog) {

    Router router(RouterBuilder builder) {
      // Vert.x orders a route's handlers: platform (the access log, so that it sees every request),
      // then body (capped, so an upload is buffered up to the cap at most), then ours.
      PlatformHandler logAccess = this::logAccess;
      builder
          .rootHandler(logAccess)
          .rootHandler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
          .rootHandler(this::authenticate);
      route(builder, "health", ctx -> json(ctx, 200, WireFormat.object().put("status", "ok")));
      route(builder, "contract", contract.publish());
      route(builder, "listDatasets", ctx -> respond(ctx, service.datasets(user(ctx))));
      route(builder, "getBudget", ctx -> respond(ctx, service.budget(user(ctx), ctx.pathParam("name"))));
      route(builder, "askQuery", this::ask);
      route(builder, "getView", ctx -> service.view(user(ctx), ctx.pathParam("name"), ctx.pathParam("view"))
          .onSuccess(csv -> ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
              .end(csv))
          .onFailure(ctx::fail));
      route(builder, "getAudit", ctx -> respond(ctx, service.audit(user(ctx), ctx.pathParam("name"))));
      Router router = builder.createRouter();
      router.route().failureHandler(this::refuse);
      for (int status : new int[] {404, 405, 406, 415, 500}) {
        router.errorHandler(status, this::refuse);
      }
      return router;
    }

    private void route(RouterBuilder builder, String operationId, Handler<RoutingContext> handler) {
      contract.route(builder, operationId, handler);
    }

    private void ask(RoutingContext ctx) {
      QueryRequest request;
      try {
        request = QueryRequest.parse(ctx.body().buffer().getBytes());
      } catch (DpClientException e) {
        ctx.fail(e);
        return;
      }
      ctx.put(QUERY, request.describe());
      Caller user = user(ctx);
      String dataset = ctx.pathParam("name");
      Future<ObjectNode> answer = request.groupBy().isPresent()
          ? service.queryByGroup(user, dataset, request).map(WireFormat::grouped)
          : service.query(user, dataset, request).map(WireFormat::answer);
      answer.onSuccess(json -> json(ctx, 200, json)).onFailure(ctx::fail);
    }

    private void authenticate(RoutingContext ctx) {
      if (!ctx.request().path().startsWith("/v1/")) {
        ctx.next();
        return;
      }
      String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : "";
      if (token.isEmpty()) {
        unauthorized(ctx);
        return;
      }
      authenticator.user(token).onComplete(result -> {
        if (result.failed()) {
          // The cause names the hub's URL, never the token: the operator of a misconfigured hub URL sees why.
          ctx.fail(new DpClientException("authenticator_unavailable", 503,
              "The DP query service could not check the token (" + result.cause().getMessage() + "); try again shortly"));
        } else if (result.result().isEmpty()) {
          unauthorized(ctx);
        } else {
          ctx.put(USER, result.result().get());
          ctx.next();
        }
      });
    }

    private static void unauthorized(RoutingContext ctx) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ctx.fail(new DpClientException("unauthorized", 401,
          "Missing or unknown bearer token; send 'Authorization: Bearer <token>' with the token you were given"));
    }

    private static Caller user(RoutingContext ctx) {
      return ctx.get(USER);
    }

    private <T> void respond(RoutingContext ctx, Future<T> result) {
      result.onSuccess(value -> json(ctx, 200, value)).onFailure(ctx::fail);
    }

    private static void json(RoutingContext ctx, int status, Object value) {
      ctx.response()
          .setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(Buffer.buffer(WireFormat.write(value)));
    }

    /** Every refusal and failure, as {@code {"code","message"[,"remaining"]}}. */
    private void refuse(RoutingContext ctx) {
      DpClientException error = refusal(ctx);
      ctx.put(CODE, error.code());
      if (ctx.response().headWritten()) {
        ctx.response().reset();
        return;
      }
      json(ctx, error.httpStatus(), WireFormat.error(error));
    }

    private static DpClientException refusal(RoutingContext ctx) {
      Throwable failure = ctx.failure();
      if (failure instanceof DpClientException refusal) {
        return refusal;
      }
      int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
      return switch (status) {
        case 400 -> invalidRequest(ctx, failure);
        case 404 -> new DpClientException("not_found", 404, "No such endpoint; the API is described at /openapi.yaml");
        case 405 -> new DpClientException("method_not_allowed", 405,
            "This endpoint does not take that method; the API is described at /openapi.yaml");
        case 413 -> new DpClientException("body_too_large", 413,
            "Request bodies are limited to " + MAX_BODY_BYTES / 1024 + " KiB; a DP query is a few hundred bytes");
        case 415 -> new DpClientException("unsupported_media_type", 415, "Send the query as application/json");
        default -> {
          if (failure != null) {
            System.getLogger(DpQueryServer.class.getName())
                .log(System.Logger.Level.ERROR, "request failed: " + ctx.request().path(), failure);
          }
          yield new DpClientException("internal_error", 500,
              "The DP query service failed on this request; its log has the details");
        }
      };
    }

    /**
     * A request the contract refuses. The validator's reasons can mislead (a wrong query type is
     * reported as an "additional property"), so a refused query body is read again by
     * {@link QueryRequest#parse}, whose reasons name the field and the fix; the validator's reason is
     * used when that reader finds nothing wrong.
     */
    private static DpClientException invalidRequest(RoutingContext ctx, Throwable failure) {
      if (ctx.body() != null && ctx.body().length() > 0) {
        String type = Optional.ofNullable(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)).orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
          return new DpClientException("invalid_request", 400,
              "Invalid request: send the query as JSON, with 'Content-Type: application/json'");
        }
        try {
          QueryRequest.parse(ctx.body().buffer().getBytes());
        } catch (DpClientException reason) {
          return reason;
        }
      }
      String reason = Optional.ofNullable(failure)
          .map(f -> f.getCause() != null ? f.getCause() : f)
          .map(Throwable::getMessage)
          .orElse("it does not match the API contract");
      return new DpClientException("invalid_request", 400, "Invalid request: " + reason + " (the API: /openapi.yaml)");
    }

    /** One line per request, written when the response ends. */
    private void logAccess(RoutingContext ctx) {
      long start = System.nanoTime();
      ctx.addEndHandler(ended -> {
        String dataset = datasetOf(ctx.request().path());
        String query = ctx.get(QUERY);
        String code = ctx.get(CODE);
        accessLog.accept("access user=" + Optional.ofNullable(user(ctx)).map(Caller::name).orElse("-")
            + " method=" + ctx.request().method().name()
            + " path=" + printable(ctx.request().path())
            + " dataset=" + (dataset == null ? "-" : printable(dataset))
            + (query == null ? "" : " query=\"" + printable(query) + "\"")
            + " status=" + ctx.response().getStatusCode()
            + (code == null ? "" : " code=" + code)
            + " ms=" + (System.nanoTime() - start) / 1_000_000);
      });
      ctx.next();
    }

    private static String datasetOf(String path) {
      String prefix = "/v1/datasets/";
      if (path == null || !path.startsWith(prefix)) {
        return null;
      }
      String rest = path.substring(prefix.length());
      int slash = rest.indexOf('/');
      return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** Request-controlled text, cut short and without control characters, so a line stays one line. */
    private static String printable(String text) {
      String cut = text.length() > 200 ? text.substring(0, 200) + "…" : text;
      return cut.replaceAll("[\\p{Cntrl}\"]", "?");
    }
  }
}
