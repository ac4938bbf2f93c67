package dev.cleanroom.service.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A service's OpenAPI contract on the class path. It is the source of the service's routes: Vert.x builds a
 * router from it, validates each request against it, and the service fills each operation by its id. The
 * contract's text is published as it is written, at the service's {@code /openapi.yaml}.
 */
public final class ApiContract {
  private final String resource;
  private final String text;

  private ApiContract(String resource, String text) {
    this.resource = resource;
    this.text = text;
  }

  /**
   * Reads the contract at {@code resource} from {@code owner}'s class loader.
   *
   * @throws IllegalStateException if it is missing: the module was built wrongly
   */
  public static ApiContract load(Class<?> owner, String resource) {
    try (InputStream in = owner.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the class path; rebuild the module of "
            + owner.getSimpleName());
      }
      return new ApiContract(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The contract as published. */
  public String text() {
    return text;
  }

  /** Answers with the contract as published. */
  public Handler<RoutingContext> publish() {
    return ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8").end(text);
  }

  /** A router builder for the contract, its requests served under {@code basePath} ("" or "/services/bridge"). */
  public Future<RouterBuilder> routerBuilder(Vertx vertx, String basePath) {
    Map<String, Object> contract = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    return OpenAPIContract.from(vertx, new JsonObject(validatable(contract, basePath)))
        .map(validated -> RouterBuilder.create(vertx, validated, RequestExtractor.withBodyHandler()));
  }

  /**
   * Serves the operation {@code operationId} with {@code handler}, after the builder's root handlers.
   *
   * @throws IllegalStateException if the contract has no such operation
   */
  public void route(RouterBuilder builder, String operationId, Handler<RoutingContext> handler) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalStateException(resource + " has no operation '" + operationId + "'");
    }
    // Authentication is the service's own root handler, not a Vert.x auth provider's.
    route.setDoSecurity(false).addHandler(handler);
  }

  /**
   * The contract as Vert.x takes it. Vert.x validates requests only, and refuses a contract whose responses name
   * media types it cannot validate (CSV views, the YAML of the contract itself); those are left out here and kept
   * in the published text. So are the security requirements: Vert.x would put an empty chain of its own auth
   * handlers on routes that list several schemes. The server is the base path, because the validator reads path
   * parameters by their segment in the full request path.
   */
  private static Map<String, Object> validatable(Map<String, Object> contract, String basePath) {
    contract.put("servers", List.of(Map.of("url", "http://127.0.0.1" + basePath)));
    contract.remove("security");
    if (contract.get("paths") instanceof Map<?, ?> paths) {
      for (Object path : paths.values()) {
        // A path item also holds shared parameters and a summary; operations are the maps among its values.
        for (Object operation : path instanceof Map<?, ?> item ? item.values() : List.of()) {
          if (operation instanceof Map<?, ?> op) {
            op.remove("security");
            if (op.get("responses") instanceof Map<?, ?> responses) {
              for (Object response : responses.values()) {
                if (response instanceof Map<?, ?> described && described.get("content") instanceof Map<?, ?> types) {
                  types.keySet().removeIf(type -> !MediaType.isMediaTypeSupported(type.toString()));
                }
              }
            }
          }
        }
      }
    }
    return contract;
  }
}
