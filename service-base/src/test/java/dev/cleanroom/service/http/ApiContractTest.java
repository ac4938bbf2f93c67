package dev.cleanroom.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiContractTest {
  private static final String COUNTER = "dev/cleanroom/service/http/counter.yaml";

  private Vertx vertx;
  private HttpClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private record Answer(int status, String body) {}

  /** Serves the counter contract under {@code basePath}; getCounter answers the name it was given. */
  private int serve(ApiContract contract, String basePath) throws Exception {
    RouterBuilder builder = contract.routerBuilder(vertx, basePath).await(10, TimeUnit.SECONDS);
    contract.route(builder, "contract", contract.publish());
    contract.route(builder, "getCounter", ctx -> ctx.response().end("name\n" + ctx.pathParam("name") + "\n"));
    Router api = builder.createRouter();
    api.route().failureHandler(ctx -> ctx.response().setStatusCode(ctx.statusCode()).end());
    Router root = Router.router(vertx);
    root.route(basePath + "/*").subRouter(api);
    HttpServer server = vertx.createHttpServer().requestHandler(basePath.isEmpty() ? api : root)
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  private Answer get(int port, String path) throws Exception {
    return client.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(request -> request.send().compose(response -> response.body()
            .map(body -> new Answer(response.statusCode(), body.toString()))))
        .await(10, TimeUnit.SECONDS);
  }

  @Test
  void routesComeFromTheContract_andRequestsAreValidatedAgainstIt_underABasePath() throws Exception {
    int port = serve(ApiContract.load(ApiContractTest.class, COUNTER), "/services/counter");

    assertEquals(new Answer(200, "name\nvisits\n"), get(port, "/services/counter/v1/counters/visits"));
    assertEquals(400, get(port, "/services/counter/v1/counters/NOT-LOWER").status(), "the path pattern is checked");
  }

  @Test
  void theContractIsPublishedAsWritten_withTheResponsesAndSecurityVertxCannotTake() throws Exception {
    ApiContract contract = ApiContract.load(ApiContractTest.class, COUNTER);
    int port = serve(contract, "");

    Answer published = get(port, "/openapi.yaml");
    assertEquals(200, published.status());
    assertEquals(contract.text(), published.body());
    assertTrue(published.body().contains("text/csv") && published.body().contains("bearer"));
  }

  @Test
  void aMissingContract_isABuildError() {
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> ApiContract.load(ApiContractTest.class, "no/such/contract.yaml"));
    assertEquals("no/such/contract.yaml is missing from the class path; rebuild the module of ApiContractTest",
        missing.getMessage());
  }

  @Test
  void anOperationTheContractLacks_cannotBeRouted() throws Exception {
    ApiContract contract = ApiContract.load(ApiContractTest.class, COUNTER);
    RouterBuilder builder = contract.routerBuilder(vertx, "").await(10, TimeUnit.SECONDS);
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> contract.route(builder, "deleteCounter", ctx -> ctx.end()));
    assertEquals(COUNTER + " has no operation 'deleteCounter'", missing.getMessage());
  }
}
