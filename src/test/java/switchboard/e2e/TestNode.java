package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import switchboard.Switchboard;
import switchboard.auth.PasswordHasher;
import switchboard.config.AppConfig;
import switchboard.config.ConfigLoader;

/**
 * One Switchboard node started for a test, on a free port, with the standard test set-up:
 * queues {@code ill → general}, operators alice [ill, general] (admin), bob [general], carol [ill],
 * dave [general], every password {@value #PASSWORD}. The node lives as long as the injected Vertx
 * (vertx-junit5 closes it after each test).
 */
public final class TestNode {
  public static final String PASSWORD = "secret-pw";
  /** Generous wait for something that must happen. */
  public static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private static volatile String passwordHash;

  private final Vertx vertx;
  private final Switchboard switchboard;
  private final WebSocketClient wsClient;
  private final String config;
  /** For a node in another process: its port (the helpers then talk to it like to one in this JVM). */
  private final int remotePort;

  private TestNode(Vertx vertx, Switchboard switchboard, String config, Vertx clientVertx) {
    this(vertx, switchboard, config, clientVertx, 0);
  }

  private TestNode(Vertx vertx, Switchboard switchboard, String config, Vertx clientVertx, int remotePort) {
    this.remotePort = remotePort;
    this.vertx = vertx;
    this.switchboard = switchboard;
    this.config = config;
    this.wsClient = clientVertx.createWebSocketClient();
  }

  /** Undeploys the node (a clean stop; to kill one, close the Vert.x instance it runs on). */
  public void stop() {
    await(switchboard.stop(), Duration.ofSeconds(10));
  }

  public String nodeId() {
    return switchboard.nodeId();
  }

  public static TestNode start(Vertx vertx) {
    return builder(vertx).start();
  }

  public static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  /** Test-set-up options. */
  public static final class Builder {
    private final Vertx vertx;
    private int rolloverAfterSeconds = 60;
    private int guestGraceSeconds = 2;
    private int operatorGraceSeconds = 2;
    private final Map<String, Integer> maxChats = new HashMap<>();
    private String redisUrl;
    private String redisPrefix;
    private List<String> redisSentinels;
    private String redisMasterName;
    private String nodeId;
    private int extraOperators;
    private Vertx clientVertx;
    private java.util.function.Consumer<JsonObject> edit = c -> { };

    private Builder(Vertx vertx) {
      this.vertx = vertx;
    }

    /** Rollover delay of both queues (default 60 s: long enough never to fire during a test). */
    public Builder rolloverAfterSeconds(int seconds) {
      this.rolloverAfterSeconds = seconds;
      return this;
    }

    public Builder guestGraceSeconds(int seconds) {
      this.guestGraceSeconds = seconds;
      return this;
    }

    public Builder operatorGraceSeconds(int seconds) {
      this.operatorGraceSeconds = seconds;
      return this;
    }

    /** Shared state in Redis under its own key prefix (several nodes of one test share the prefix). */
    public Builder redis(String url, String prefix) {
      this.redisUrl = url;
      this.redisPrefix = prefix;
      return this;
    }

    /** Shared state in the Redis primary that these sentinels watch as {@code masterName}. */
    public Builder redisSentinels(List<String> sentinels, String masterName, String prefix) {
      this.redisSentinels = sentinels;
      this.redisMasterName = masterName;
      this.redisPrefix = prefix;
      return this;
    }

    /** Sockets of this node's test clients live on another Vert.x instance, so they outlive a killed node. */
    public Builder clientVertx(Vertx clients) {
      this.clientVertx = clients;
      return this;
    }

    /** Changes the generated config before the node starts (skins, extra queues, …). */
    public Builder editConfig(java.util.function.Consumer<JsonObject> change) {
      this.edit = this.edit.andThen(change);
      return this;
    }

    public Builder nodeId(String id) {
      this.nodeId = id;
      return this;
    }

    /** Adds operators op01, op02, … staffing general (for storms). */
    public Builder extraOperators(int count) {
      this.extraOperators = count;
      return this;
    }

    public Builder maxChats(String operator, int max) {
      maxChats.put(operator, max);
      return this;
    }

    public String configJson() {
      String hash = hash();
      JsonArray queues =
          new JsonArray()
              .add(new JsonObject()
                  .put("name", "ill")
                  .put("title", "Interlibrary Loan")
                  .put("backups", new JsonArray().add("general"))
                  .put("rolloverAfterSeconds", rolloverAfterSeconds))
              .add(new JsonObject()
                  .put("name", "general")
                  .put("title", "Ask a Librarian")
                  .put("rolloverAfterSeconds", rolloverAfterSeconds));
      Map<String, List<String>> ops = new LinkedHashMap<>();
      ops.put("alice", List.of("ill", "general"));
      ops.put("bob", List.of("general"));
      ops.put("carol", List.of("ill"));
      ops.put("dave", List.of("general"));
      for (int i = 1; i <= extraOperators; i++) {
        ops.put(String.format("op%02d", i), List.of("general"));
      }
      JsonArray operators = new JsonArray();
      ops.forEach((id, qs) -> {
        JsonObject op = new JsonObject()
            .put("id", id)
            .put("name", displayName(id))
            .put("queues", new JsonArray(qs))
            .put("maxChats", maxChats.getOrDefault(id, 5))
            .put("role", id.equals("alice") ? "admin" : "operator")
            .put("passwordHash", hash);
        operators.add(op);
      });
      JsonObject config = new JsonObject();
      if (redisUrl != null) {
        config.put("redis", new JsonObject().put("url", redisUrl).put("prefix", redisPrefix));
      } else if (redisSentinels != null) {
        config.put("redis", new JsonObject().put("sentinels", new JsonArray(redisSentinels))
            .put("masterName", redisMasterName).put("prefix", redisPrefix));
      }
      if (nodeId != null) {
        config.put("nodeId", nodeId);
      }
      config
          .put("http", new JsonObject().put("port", 0))
          .put("chats", new JsonObject()
              .put("guestGraceSeconds", guestGraceSeconds)
              .put("operatorGraceSeconds", operatorGraceSeconds))
          .put("queues", queues)
          .put("operators", operators);
      edit.accept(config);
      return config.encodePrettily();
    }

    public TestNode start() {
      String json = configJson();
      AppConfig cfg = ConfigLoader.parse(json, "test-config", Map.of());
      Switchboard node = await(Switchboard.start(vertx, cfg), Duration.ofSeconds(30));
      assertThat(node.port()).as("bound port").isPositive();
      return new TestNode(vertx, node, json, clientVertx == null ? vertx : clientVertx);
    }
  }

  /** "alice" → "Alice". */
  public static String displayName(String id) {
    return Character.toUpperCase(id.charAt(0)) + id.substring(1);
  }

  private static String hash() {
    String h = passwordHash;
    if (h == null) {
      synchronized (TestNode.class) {
        if (passwordHash == null) {
          passwordHash = PasswordHasher.hash(PASSWORD.toCharArray(), 1000);
        }
        h = passwordHash;
      }
    }
    return h;
  }

  /** A node running in another process (see {@code NodeProcess}), reached on {@code port}. */
  public static TestNode remote(int port, Vertx clientVertx) {
    return new TestNode(clientVertx, null, null, clientVertx, port);
  }

  public int port() {
    return switchboard == null ? remotePort : switchboard.port();
  }

  public Vertx vertx() {
    return vertx;
  }

  public String config() {
    return config;
  }

  WebSocketClient wsClient() {
    return wsClient;
  }

  // ---------------------------------------------------------------- HTTP

  /** An HTTP response, read whole. */
  public record Http(int status, String body, HttpHeaders headers) {
    public JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (RuntimeException e) {
        throw new AssertionError("expected a JSON object, got status " + status + " body: " + body, e);
      }
    }

    public JsonArray jsonArray() {
      try {
        return new JsonArray(body);
      } catch (RuntimeException e) {
        throw new AssertionError("expected a JSON array, got status " + status + " body: " + body, e);
      }
    }

    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public URI uri(String path) {
    return URI.create("http://localhost:" + port() + path);
  }

  public Http get(String path) {
    return get(path, null, Map.of());
  }

  public Http get(String path, String token) {
    return get(path, token, Map.of());
  }

  public Http get(String path, String token, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    return send(b.build());
  }

  public Http put(String path, JsonObject body, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.build());
  }

  public Http delete(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).DELETE();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.build());
  }

  public Http post(String path, JsonObject body, String token) {
    return post(path, body, token, Map.of());
  }

  /** With extra request headers (e.g. X-Forwarded-For, as a proxy on the node's host would send). */
  public Http post(String path, JsonObject body, String token, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    return send(b.build());
  }

  private static Http send(HttpRequest request) {
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Http(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  public Http loginRequest(String user, String password) {
    return post("/api/v1/login", new JsonObject().put("username", user).put("password", password), null);
  }

  /** Signs {@code user} in with the test password and returns the token. */
  public String login(String user) {
    Http r = loginRequest(user, PASSWORD);
    assertThat(r.status()).as("login of %s: %s", user, r).isEqualTo(200);
    String token = r.json().getString("token");
    assertThat(token).as("token in %s", r).isNotBlank();
    return token;
  }

  /** GET /api/v1/chats/{id} with the given token; asserts 200. */
  public JsonObject chat(String chatId, String token) {
    Http r = get("/api/v1/chats/" + chatId, token);
    assertThat(r.status()).as("GET chat %s: %s", chatId, r).isEqualTo(200);
    return r.json();
  }

  public boolean presence(String queue) {
    Http r = get("/api/v1/presence/" + queue);
    assertThat(r.status()).as("presence of %s: %s", queue, r).isEqualTo(200);
    return r.json().getBoolean("available");
  }

  /** Polls the presence API until {@code queue} reports {@code available}. */
  public void awaitPresence(String queue, boolean available) {
    waitUntil(() -> presence(queue) == available, TIMEOUT,
        "queue " + queue + " to become " + (available ? "available" : "unavailable"));
  }

  // ---------------------------------------------------------------- waiting

  public static <T> T await(Future<T> future) {
    return await(future, TIMEOUT);
  }

  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new AssertionError("future failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  public static void waitUntil(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
