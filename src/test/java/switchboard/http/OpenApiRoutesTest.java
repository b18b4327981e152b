package switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.Version;
import switchboard.auth.LoginThrottle;
import switchboard.auth.OperatorAuth;
import switchboard.bus.LocalEventRelay;
import switchboard.config.AppConfig;
import switchboard.config.ConfigLoader;
import switchboard.domain.Directory;
import switchboard.e2e.TestNode;
import switchboard.metrics.MetricsSetup;
import switchboard.record.StateStoreRecord;
import switchboard.store.InMemoryStateStore;

/**
 * Issue 17: {@code GET /api/v1/openapi.json} describes the HTTP API, and exactly the operations
 * the router has: a route added without its description, or a description left behind by a
 * removed route, fails here by name.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenApiRoutesTest {
  private static final String DOCUMENT = "/api/v1/openapi.json";
  private static final Set<String> OPENAPI_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /**
   * The router's routes that are not API operations, as {@link #describe} writes them (methods or
   * {@code *} for any, then the path, {@code …*} for a prefix), once per such route.
   */
  private static final List<String> NOT_OPERATIONS = List.of(
      "* (every path)", // security headers on every answer
      "* /ws/guest", // WebSocket upgrades: their frames are DESIGN §3, named in the description text only
      "* /ws/operator",
      "* /api/v1/presence*", // CORS in front of routes that are themselves described
      "* /presence/*",
      "* /api/v1/queues",
      "* /api/v1/offline",
      "* /i18n/*", // CORS for the pages' word files, which are static files
      "DELETE,PATCH,POST,PUT /api/*", // reads request bodies (at most 64 KiB) for the API routes
      "* /api/v1/admin/*", // audits admin changes, in front of the admin routes
      "GET (regex)", // /chat/{queue}, the chat-box page: a static file
      "GET,HEAD /*", // static files from webroot
      "* (every path)"); // the failure handler that answers errors as JSON

  @Test
  void aNodeServesAnOpenApi31DocumentWithItsOwnVersion(Vertx vertx) {
    TestNode node = TestNode.start(vertx);

    TestNode.Http answer = node.get(DOCUMENT);

    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    assertThat(answer.header("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(answer.header("Access-Control-Allow-Origin")).as("public, any origin").hasValue("*");
    JsonObject doc = answer.json();
    assertThat(doc.getString("openapi")).startsWith("3.1");
    assertThat(doc.getJsonObject("info").getString("version")).isEqualTo(Version.current());
    JsonObject error = doc.getJsonObject("components").getJsonObject("schemas").getJsonObject("Error");
    assertThat(error.getJsonObject("properties").fieldNames()).contains("error", "message");
  }

  @Test
  void theDocumentDescribesExactlyTheRoutersOperations(Vertx vertx) {
    HttpVerticle edge = deployHttpEdge(vertx);
    JsonObject doc = TestNode.remote(edge.actualPort(), vertx).get(DOCUMENT).json();

    Set<String> routed = new TreeSet<>();
    List<String> unexplained = new ArrayList<>();
    List<String> notOperations = new ArrayList<>(NOT_OPERATIONS);
    for (Route route : edge.router().getRoutes()) {
      String described = describe(route);
      if (notOperations.remove(described)) {
        continue;
      }
      if (route.getPath() == null || !route.isExactPath() || route.methods() == null || route.methods().isEmpty()) {
        unexplained.add(described);
        continue;
      }
      route.methods().forEach(m -> routed.add(m.name() + " " + route.getPath().replaceAll(":(\\w+)", "{$1}")));
    }
    Set<String> documented = new TreeSet<>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      paths.getJsonObject(path).fieldNames().stream().filter(OPENAPI_METHODS::contains)
          .forEach(m -> documented.add(m.toUpperCase() + " " + path));
    }

    assertSoftly(soft -> {
      soft.assertThat(unexplained).as("router routes that are neither operations nor listed in NOT_OPERATIONS")
          .isEmpty();
      soft.assertThat(notOperations).as("NOT_OPERATIONS entries the router no longer has").isEmpty();
      soft.assertThat(difference(routed, documented)).as("router operations missing from %s", DOCUMENT).isEmpty();
      soft.assertThat(difference(documented, routed)).as("operations in %s that the router does not have", DOCUMENT)
          .isEmpty();
    });
    assertThat(routed).as("the comparison saw the router's operations").contains("GET " + DOCUMENT,
        "GET /api/v1/chats/{id}");
  }

  /** One node's HTTP edge alone, wired as {@code Switchboard} wires it, on a free port. */
  private static HttpVerticle deployHttpEdge(Vertx vertx) {
    AppConfig config = ConfigLoader.parse(TestNode.builder(vertx).configJson(), "openapi-test", Map.of());
    Directory directory = new Directory(config.queues(), config.operators(), config.sms());
    InMemoryStateStore store = new InMemoryStateStore();
    OperatorAuth auth = new OperatorAuth(vertx, directory, store, new LoginThrottle(vertx, store), Clock.systemUTC());
    HttpVerticle edge = HttpVerticle.forNode(config, directory, store, new StateStoreRecord(store, "test record"),
        new LocalEventRelay(vertx.eventBus()), auth, MetricsSetup.registryFor(vertx), 0).get();
    TestNode.await(vertx.deployVerticle(edge));
    return edge;
  }

  private static String describe(Route route) {
    Set<HttpMethod> methods = route.methods();
    String which = methods == null || methods.isEmpty() ? "*"
        : methods.stream().map(HttpMethod::name).sorted().collect(Collectors.joining(","));
    String where = route.getPath() != null ? route.getPath() + (route.isExactPath() ? "" : "*")
        : route.isRegexPath() ? "(regex)" : "(every path)";
    return which + " " + where;
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> rest = new TreeSet<>(a);
    rest.removeAll(b);
    return rest;
  }
}
