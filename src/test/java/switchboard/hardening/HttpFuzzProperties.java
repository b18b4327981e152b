package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import switchboard.e2e.TestNode;

/**
 * Random and malformed requests to every HTTP endpoint of DESIGN §4 (methods, paths with hostile
 * segments, query parameters, content types, bodies of every shape and size, good and bad
 * tokens), and raw bytes that are not HTTP at all: none gets a 5xx, every API refusal is a JSON
 * error, the node logs no internal error, and a real chat on the node carries on throughout.
 */
@PropertyDefaults(shrinking = ShrinkingMode.BOUNDED)
class HttpFuzzProperties {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final int BODY_LIMIT = 64 * 1024;

  /** Every route, with {} where a path parameter goes. */
  static final List<String> ROUTES = List.of("/api/v1/login", "/api/v1/logout", "/api/v1/queues",
      "/api/v1/chats/{}", "/api/v1/chats/{}/email", "/api/v1/presence/{}", "/api/v1/presence/{}/badge.svg",
      "/api/v1/presence", "/api/v1/admin/queues", "/api/v1/admin/queues/{}", "/api/v1/admin/operators",
      "/api/v1/admin/operators/{}", "/api/v1/stats", "/api/v1/stats.csv", "/api/v1/offline",
      "/api/v1/offline/{}/done", "/api/v1/canned", "/api/v1/canned/{}", "/api/v1/sms/inbound/{}",
      "/api/v1/features", "/health/live", "/health/ready", "/metrics", "/chat/{}", "/widget.js", "/console/",
      "/admin/", "/", "/demo/custom-rollover.html", "/{}", "/api/v1/{}", "/ws/guest", "/ws/operator");
  static final List<String> PARAMS = List.of("format", "var", "callback", "queues", "from", "to", "tz", "queue",
      "groupBy", "rows", "token", "lastSeq");

  private static Vertx vertx;
  private static TestNode node;
  private static ChatPulse pulse;
  private static LogCapture logs;
  private static String bobToken;
  private static String adminToken;
  static int requests;

  record Req(String method, String path, String contentType, String auth, String body) {
    @Override
    public String toString() {
      return method + " " + path + " [" + contentType + "] auth=" + auth + " body="
          + (body.length() > 200 ? body.substring(0, 200) + "… (" + body.length() + " chars)" : body);
    }
  }

  @BeforeContainer
  static void startNode() {
    vertx = Vertx.vertx();
    node = TestNode.start(vertx);
    logs = LogCapture.capture();
    pulse = ChatPulse.start(node, "alice", "ill");
    bobToken = node.login("bob");
    adminToken = node.login("alice");
  }

  @AfterContainer
  static void stopNode() {
    try {
      pulse.awaitRounds(2, Duration.ofSeconds(20));
      pulse.stopAndVerify(adminToken);
      assertThat(node.get("/api/v1/queues").status()).isEqualTo(200);
      assertThat(logs.errors()).as("errors logged by the node under fuzzing").isEmpty();
      System.out.println("HttpFuzzProperties: " + requests + " hostile requests, " + pulse.rounds()
          + " chat rounds carried on");
    } finally {
      pulse.close();
      logs.close();
      TestNode.await(vertx.close(), Duration.ofSeconds(15));
    }
  }

  @AfterProperty
  void theRealChatCarriesOn() {
    pulse.awaitRounds(1, Duration.ofSeconds(15));
    assertThat(logs.errors()).as("errors logged by the node").isEmpty();
  }

  @Property(tries = 2500)
  void noRequestGetsA5xxAndEveryApiRefusalIsAJsonError(@ForAll("requests") Req req) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + node.port() + req.path()))
        .timeout(Duration.ofSeconds(10))
        .method(req.method(), req.body().isEmpty() && !req.method().equals("POST") && !req.method().equals("PUT")
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(req.body()));
    if (req.contentType() != null) {
      b.header("Content-Type", req.contentType());
    }
    if (req.auth() != null) {
      b.header("Authorization", req.auth());
    }
    HttpResponse<String> r;
    try {
      r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      // this machine is shared and loaded, and a pooled connection may have been closed after a 413:
      // one more try on a connection of its own; a node that is stuck fails it
      r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
    requests++;
    assertThat(r.statusCode()).as("%s → %s %s", req, r.statusCode(), abbreviate(r.body())).isBetween(200, 499);
    boolean api = req.path().startsWith("/api/");
    if (api && r.statusCode() >= 400 && !req.method().equals("HEAD")) {
      assertThat(r.headers().firstValue("Content-Type")).as("%s → %s", req, r.statusCode())
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
      JsonObject error = new JsonObject(r.body());
      assertThat(error.getString("error")).as("%s → %s", req, r.body()).isNotBlank();
    }
    if (req.body().getBytes(StandardCharsets.UTF_8).length > BODY_LIMIT && api && !req.method().equals("GET")
        && r.statusCode() != 404 && r.statusCode() != 405) {
      assertThat(r.statusCode()).as("%s → %s", req, r.body()).isIn(413, 400, 401, 403);
    }
  }

  @Provide
  Arbitrary<Req> requests() {
    Arbitrary<String> method = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, Arbitraries.of("GET", "POST", "PUT", "DELETE")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("PATCH", "OPTIONS", "HEAD", "TRACE", "FOO")));
    Arbitrary<String> segment = Arbitraries.oneOf(
        Hostile.text(40).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
        Arbitraries.of("..", "%2e%2e", "%2F", "%00", "%ff%fe", ".", "a%20b", "index.html", "badge.svg", "x".repeat(3000),
            "0", "-1", "ill", "general", "alice", "twilio", "nope"));
    Arbitrary<String> path = Combinators.combine(Arbitraries.of(ROUTES), segment)
        .as((route, seg) -> route.replace("{}", seg));
    Arbitrary<String> queryValue = Arbitraries.oneOf(
        Hostile.text(40).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
        Arbitraries.of("-1000000000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z", "+999999999-01-01T00:00:00Z",
            "2026-13-45", "2026-01-01", "2026-01-01T00:00:00Z", "hour", "day", "chats", "Mars/Olympus", "UTC",
            "js", "text", "json", "alert(1)//", "ill,general," + "x,".repeat(100), "", "%00"));
    Arbitrary<String> query = Combinators.combine(Arbitraries.of(PARAMS), queryValue).as((k, v) -> k + "=" + v)
        .list().ofMaxSize(4).map(l -> l.isEmpty() ? "" : "?" + String.join("&", l));
    Arbitrary<String> contentType = Arbitraries.of("application/json", "application/json; charset=utf-16",
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "garbage/x", "");
    Arbitrary<String> auth = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.of("Bearer", "Bearer ", "Basic YTpi",
            "bearer " + "A".repeat(43)),
        Hostile.text(60).map(t -> "Bearer " + t.replaceAll("[^\\x20-\\x7e]", "")),
        Arbitraries.just("bob"));
    Arbitrary<String> body = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, Arbitraries.just("")),
        net.jqwik.api.Tuple.of(3, Hostile.jsonValue(3).map(v -> new io.vertx.core.json.JsonArray().add(v).encode()
            .replaceAll("^\\[|\\]$", ""))),
        net.jqwik.api.Tuple.of(3, Combinators.combine(Arbitraries.of("username", "password", "queue", "name", "email",
                "question", "page", "shortcut", "text", "to", "title", "backups", "id", "queues", "role"),
            Hostile.jsonValue(2)).as((k, v) -> new JsonObject().put(k, v)).list().ofMaxSize(5)
            .map(l -> { JsonObject o = new JsonObject(); l.forEach(o::mergeIn); return o.encode(); })),
        net.jqwik.api.Tuple.of(2, Hostile.notAnObject()),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(BODY_LIMIT - 10, BODY_LIMIT * 3)
            .map(n -> "{\"text\":\"" + "b".repeat(n) + "\"}")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("From=%2B1555&To=%2B15551230000&Body=hi&MessageSid=SM1",
            "a=b&a=c&" + "x=y&".repeat(500))));
    return Combinators.combine(method, path, query, contentType, auth, body).as((m, p, q, ct, a, bo) -> {
      String authHeader = a.isEmpty() ? null : a.equals("bob") ? "Bearer " + bobToken : a;
      return new Req(m, p + q, ct.isEmpty() ? null : ct, authHeader, bo);
    });
  }

  /** The admin's token only on reads: a fuzzer with it could delete the queues the real chat runs on. */
  @Property(tries = 300)
  void adminReadsWithHostileParametersNeverFail(@ForAll("adminReads") String pathAndQuery) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port()
        + pathAndQuery)).header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    requests++;
    assertThat(r.statusCode()).as("GET %s → %s", pathAndQuery, abbreviate(r.body())).isBetween(200, 499);
  }

  @Provide
  Arbitrary<String> adminReads() {
    Arbitrary<String> value = Arbitraries.oneOf(
        Hostile.text(30).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
        Arbitraries.of("-1000000000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z", "+999999999-01-01T00:00:00Z",
            "+999999999-01-05", "1970-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "2026-01-01", "hour", "day",
            "chats", "Etc/GMT+14", "UTC", "ill", "", "%00"));
    Arbitrary<String> query = Combinators.combine(Arbitraries.of(PARAMS), value).as((k, v) -> k + "=" + v)
        .list().ofMaxSize(4).map(l -> "?" + String.join("&", l));
    Arbitrary<String> path = Arbitraries.of("/api/v1/stats", "/api/v1/stats.csv", "/api/v1/admin/queues",
        "/api/v1/admin/operators", "/api/v1/offline", "/api/v1/canned", "/api/v1/chats/x");
    return Combinators.combine(path, query).as((p, q) -> p + q);
  }

  @Example
  void rawBytesThatAreNotHttpGetA4xxOrAClosedConnection() throws Exception {
    List<String> garbage = List.of(
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n",
        "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n{\"a\":",
        "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n0\r\n\r\n",
        "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/v1/queues HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "GET /ws/guest HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\n\r\n",
        "GET /ws/guest HTTP/1.1\r\nHost: x\r\n\r\n");
    for (String request : garbage) {
      Optional<Integer> status = rawStatus(request);
      requests++;
      // an HTTP version the server does not speak is the one fitting 5xx (501 from the codec)
      boolean unknownVersion = request.contains("HTTP/9.9");
      status.ifPresent(s -> assertThat(s).as("status for %s", abbreviate(request))
          .satisfiesAnyOf(x -> assertThat(x).isBetween(200, 499), x -> assertThat(unknownVersion && x == 501).isTrue()));
    }
    assertThat(node.get("/health/live").status()).isEqualTo(200);
  }

  /**
   * Connections that send half a request and then nothing (slowloris, or TLS spoken to the plain
   * port) are held open by the node, which has no header time-out (see docs/SECURITY.md: put a
   * proxy with one in front); while 200 of them hang, everyone else is still served.
   */
  @Example
  void halfSentRequestsDoNotStarveOtherClients() throws Exception {
    List<Socket> hanging = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        Socket s = new Socket("localhost", node.port());
        s.getOutputStream().write((i % 2 == 0 ? "GET /api/v1/queues HTTP/1.1\r\nHost: x\r\nX-Slow: "
            : "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003").getBytes(StandardCharsets.ISO_8859_1));
        hanging.add(s);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(node.get("/api/v1/presence/ill").status()).isEqualTo(200);
      }
      pulse.awaitRounds(1, Duration.ofSeconds(15));
      requests += 200;
    } finally {
      for (Socket s : hanging) {
        s.close();
      }
    }
  }

  /** The status of the first response line, or empty when the server just closed the connection. */
  private Optional<Integer> rawStatus(String request) throws IOException {
    try (Socket s = new Socket("localhost", node.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        line.write(c);
      }
      String first = line.toString(StandardCharsets.ISO_8859_1);
      if (first.isEmpty()) {
        return Optional.empty();
      }
      assertThat(first).as("first line answering %s", abbreviate(request)).startsWith("HTTP/");
      return Optional.of(Integer.parseInt(first.split(" ")[1]));
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("no answer and no close within 5 s to " + abbreviate(request));
    } catch (java.net.SocketException e) {
      return Optional.empty(); // reset by the server
    }
  }

  private static String abbreviate(String s) {
    return s == null ? null : s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
