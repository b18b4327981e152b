package switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import switchboard.LocalMachine;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * The shipped {@code deploy/nginx.conf}, run by the OS's nginx in front of two nodes on one
 * Redis: a patron and a librarian chat through it on different nodes (the librarian's console
 * socket carries the page's Origin, so Host must reach the node as the browser sent it), and the
 * per-client limits count each patron under their own address, taken from X-Forwarded-For, not
 * nginx's. Only the upstream addresses and the listening port are changed from the file. Needs
 * nginx (Debian's package; {@code .ci/run} installs it): fails loudly without it.
 */
class NginxProxyTest {
  private static final Pattern SOCKETS = Pattern.compile(
      "^switchboard_sockets_open\\{[^}]*kind=\"(guest|operator)\"[^}]*\\} ([0-9.]+)", Pattern.MULTILINE);

  @TempDir
  Path dir;
  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private Process nginx;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (nginx != null) {
      nginx.destroy(); // SIGTERM: the master stops its workers
      if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
        nginx.destroyForcibly();
      }
    }
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void aChatRunsThroughNginxAndLimitsCountThePatronsAddress() throws IOException {
    String prefix = "nginx-" + UUID.randomUUID() + ":";
    TestNode a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients).start();
    TestNode b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients).start();
    int port = startNginx(a.port(), b.port());
    TestNode proxy = TestNode.remote(port, clients);

    // nginx takes the nodes in turn: the console's socket lands on one, the patron's on the other
    String token = proxy.login("alice");
    String first = proxy.get("/health/ready").json().getString("node");
    FrameClient alice = operatorWithOrigin(proxy, token, "http://localhost:" + port);
    FrameClient pat = FrameClient.guest(proxy);
    TestNode aliceNode = first.equals("node-a") ? b : a;
    TestNode patNode = first.equals("node-a") ? a : b;
    assertThat(openSockets(aliceNode, "operator")).as("the console's socket on %s", aliceNode.nodeId()).isEqualTo(1);
    assertThat(openSockets(patNode, "guest")).as("the patron's socket on %s", patNode.nodeId()).isEqualTo(1);
    assertThat(openSockets(patNode, "operator")).isZero();

    alice.available("ill", true);
    proxy.awaitPresence("ill", true);
    String chatId = pat.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    pat.next("joined");
    assertThat(pat.say("Do you have the 1923 yearbook?").getInteger("seq")).isEqualTo(1);
    assertThat(alice.next("message", m -> m.getInteger("seq") == 1, TestNode.TIMEOUT).getString("text"))
        .isEqualTo("Do you have the 1923 yearbook?");
    assertThat(alice.say(chatId, "Yes, in Special Collections.").getInteger("seq")).isEqualTo(2);
    assertThat(pat.next("message", m -> m.getInteger("seq") == 2, TestNode.TIMEOUT).getString("text"))
        .isEqualTo("Yes, in Special Collections.");

    // two patrons on two addresses (127.0.0.2 and .3 are this host's loopback too): the one who
    // leaves too many offline questions is slowed down, the other is not; nginx's own address
    // (127.0.0.1) is not what is counted, and the count is shared by the two nodes it alternates
    JsonObject question = new JsonObject().put("queue", "ill").put("name", "Robin")
        .put("email", "robin@example.org").put("question", "Can I renew by phone?");
    List<Integer> busy = leaveOfflineQuestions("127.0.0.2", port, question, 6);
    assertThat(busy).containsExactly(201, 201, 201, 201, 201, 429);
    assertThat(leaveOfflineQuestions("127.0.0.3", port, question, 1)).containsExactly(201);
  }

  // ---------------------------------------------------------------- nginx

  /** Starts nginx with deploy/nginx.conf pointed at the two nodes; returns its port. */
  private int startNginx(int nodeA, int nodeB) throws IOException {
    String shipped = Files.readString(Path.of("deploy/nginx.conf"));
    int port = LocalMachine.freePort();
    String site = replaceOnce(shipped, "node-a:8080", "127.0.0.1:" + nodeA);
    site = replaceOnce(site, "node-b:8080", "127.0.0.1:" + nodeB);
    site = replaceOnce(site, "listen 80;", "listen 127.0.0.1:" + port + ";");
    Files.writeString(dir.resolve("switchboard.conf"), site);
    for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      Files.createDirectories(dir.resolve(temp));
    }
    // what a distribution's /etc/nginx/nginx.conf gives the site, with this test's own folders
    Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
        "daemon off;",
        "worker_processes 1;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " info;",
        "events { worker_connections 256; }",
        "http {",
        "  access_log " + dir.resolve("access.log") + ";",
        "  client_body_temp_path " + dir.resolve("body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + dir.resolve("scgi") + ";",
        "  include " + dir.resolve("switchboard.conf") + ";",
        "}", ""));
    nginx = new ProcessBuilder(LocalMachine.requireExecutable("nginx", "nginx", "/usr/sbin"), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
        "-c", dir.resolve("nginx.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    Process started = nginx;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    TestNode.waitUntil(() -> {
      assertThat(started.isAlive()).as("nginx running: %s", log("nginx.out") + log("error.log")).isTrue();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException e) {
        return false;
      }
    }, Duration.ofSeconds(10), "nginx to listen on " + port);
    return port;
  }

  private static String replaceOnce(String text, String what, String with) {
    assertThat(text.split(Pattern.quote(what), -1)).as("'%s' once in deploy/nginx.conf", what).hasSize(2);
    return text.replace(what, with);
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (IOException e) {
      return "";
    }
  }

  // ---------------------------------------------------------------- clients

  /** A console socket as the console page served through nginx opens it: with the page's Origin. */
  private static FrameClient operatorWithOrigin(TestNode proxy, String token, String origin) {
    FrameClient c = TestNode.await(FrameClient.connectAsync(proxy, "/ws/operator", "alice", origin));
    c.send(new JsonObject().put("type", "auth").put("token", token));
    assertThat(c.next("ready").getJsonObject("operator").getString("id")).isEqualTo("alice");
    return c;
  }

  /** Statuses of {@code times} offline questions left from {@code localAddress} through nginx. */
  private List<Integer> leaveOfflineQuestions(String localAddress, int port, JsonObject question, int times) {
    HttpClientAgent http = clients.createHttpClient(new HttpClientOptions().setLocalAddress(localAddress));
    try {
      List<Integer> statuses = new java.util.ArrayList<>();
      for (int i = 0; i < times; i++) {
        RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/api/v1/offline").putHeader("Content-Type", "application/json");
        statuses.add(TestNode.await(http.request(post)
            .compose(req -> req.send(question.encode()))
            .compose(res -> res.body().map(body -> res.statusCode()))));
      }
      return statuses;
    } finally {
      TestNode.await(http.close());
    }
  }

  /** What a node's /metrics says of its open sockets of one kind. */
  private static int openSockets(TestNode node, String kind) {
    Matcher m = SOCKETS.matcher(node.get("/metrics").body());
    while (m.find()) {
      if (m.group(1).equals(kind)) {
        return (int) Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no switchboard_sockets_open for " + kind + " on " + node.nodeId());
  }

}
