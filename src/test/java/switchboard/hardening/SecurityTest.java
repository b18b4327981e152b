package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.auth.Tokens;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.limits.SharedLimits;

/**
 * Nobody gets in where they do not belong: operator sockets with no, forged, revoked or orphaned
 * tokens; guests reaching for another chat; operators reaching for chats they do not hold; the
 * admin API without the admin role; console sockets from other sites; password guessing; floods
 * of messages, frames and chat starts; hostile strings that must come back exactly as sent.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityTest {
  static final String XSS = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;\u2028{{7*7}}";

  @Test
  void operatorSocketsWithoutAValidTokenAreClosedWith4401(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient noAuth = FrameClient.connect(node, "/ws/operator", "no-auth");
    noAuth.send(new JsonObject().put("type", "availability").put("queue", "ill").put("available", true));
    assertThat(noAuth.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 4401);

    FrameClient noToken = FrameClient.connect(node, "/ws/operator", "no-token");
    noToken.send(new JsonObject().put("type", "auth"));
    assertThat(noToken.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 4401);

    // well-formed, 256 random bits like a real one, but never issued
    FrameClient forged = FrameClient.operatorSocket(node, Tokens.newToken(), "forged");
    assertThat(forged.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 4401);

    String revoked = node.login("bob");
    assertThat(node.post("/api/v1/logout", null, revoked).status()).isEqualTo(200);
    assertThat(FrameClient.operatorSocket(node, revoked, "revoked").awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 4401);
    assertThat(node.get("/api/v1/canned", revoked).status()).isEqualTo(401);

    // the stand-in for an expired session (12 h is too long to wait): its operator was removed
    String orphaned = node.login("dave");
    assertThat(node.delete("/api/v1/admin/operators/dave", node.login("alice")).status()).isEqualTo(204);
    assertThat(FrameClient.operatorSocket(node, orphaned, "orphaned").awaitClose(TestNode.TIMEOUT))
        .isEqualTo((short) 4401);
    assertThat(node.get("/api/v1/canned", orphaned).status()).isEqualTo(401);

    // a token's hash (what the store keeps) is not a token
    String real = node.login("carol");
    assertThat(FrameClient.operatorSocket(node, Tokens.hash(real), "hash").awaitClose(TestNode.TIMEOUT))
        .isEqualTo((short) 4401);
    FrameClient.operator(node, "carol", real).assertOpen();
  }

  @Test
  void aGuestCannotResumeOrReadAnotherGuestsChat(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient victim = FrameClient.guest(node);
    JsonObject theirs = victim.start("ill", "Victim");
    alice.offerFor(theirs.getString("chatId"));
    alice.accept(theirs.getString("chatId"));
    victim.say("my library card number is 12345");

    FrameClient intruder = FrameClient.guest(node);
    JsonObject mine = intruder.start("general", "Intruder");
    List<JsonObject> attempts = List.of(
        resume(theirs.getString("chatId"), mine.getString("token")),
        resume(mine.getString("chatId"), theirs.getString("token")),
        resume(theirs.getString("chatId"), Tokens.newToken()),
        resume(theirs.getString("chatId"), Tokens.hash(theirs.getString("token"))),
        resume(theirs.getString("chatId"), ""));
    for (JsonObject attempt : attempts) {
      intruder.send(attempt);
      assertThat(intruder.next("error").getString("code")).as("%s", attempt).isIn("not_found", "bad_request");
    }
    intruder.expectNone("message", FrameClient.QUIET);
    intruder.expectNone("resumed", FrameClient.QUIET);
    assertThat(node.get("/api/v1/chats/" + theirs.getString("chatId")).status()).isEqualTo(401);
    // the victim's chat goes on untouched
    alice.say(theirs.getString("chatId"), "thanks, renewed");
    assertThat(victim.next("message").getString("text")).isEqualTo("thanks, renewed");
  }

  private static JsonObject resume(String chatId, String token) {
    return new JsonObject().put("type", "resume").put("chatId", chatId).put("token", token).put("lastSeq", 0);
  }

  @Test
  void anOperatorCannotTouchAChatTheyDoNotHold(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient bob = FrameClient.operator(node, "bob"); // general only: never offered an ill chat
    alice.available("ill", true);
    bob.available("general", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    FrameClient dave = FrameClient.operator(node, "dave"); // available, so a transfer to him gets as far as the holder check
    dave.available("general", true);

    bob.send(new JsonObject().put("type", "accept").put("chatId", chatId));
    assertThat(bob.expectError("forbidden").getString("chatId")).isEqualTo(chatId);
    alice.accept(chatId);
    guest.next("joined");
    for (JsonObject frame : List.of(FrameClient.operatorMessage(chatId, "hijack", "h1"),
        new JsonObject().put("type", "typing").put("chatId", chatId).put("typing", true),
        new JsonObject().put("type", "close").put("chatId", chatId),
        new JsonObject().put("type", "transfer").put("chatId", chatId).put("operator", "dave"))) {
      bob.send(frame);
      assertThat(bob.next("error").getString("code")).as("%s", frame).isEqualTo("forbidden");
    }
    String bobToken = node.login("bob");
    assertThat(node.get("/api/v1/chats/" + chatId, bobToken).status()).isEqualTo(403);
    assertThat(node.post("/api/v1/chats/" + chatId + "/email", new JsonObject().put("to", "x@example.org"), bobToken)
        .status()).isIn(403, 404);
    guest.expectNone("message", FrameClient.QUIET);
    guest.expectNone("typing", FrameClient.QUIET);
    dave.expectNone("offer", FrameClient.QUIET);
    JsonObject record = node.chat(chatId, node.login("alice"));
    assertThat(record.getString("state")).isEqualTo("active");
    assertThat(record.getString("operator")).isEqualTo("alice");
  }

  @Test
  void theAdminApiAndStatsAreForAdminsOnly(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String bob = node.login("bob");
    JsonObject body = new JsonObject().put("name", "maps").put("title", "Maps");
    List<String[]> calls = List.of(new String[] {"GET", "/api/v1/admin/queues"},
        new String[] {"POST", "/api/v1/admin/queues"}, new String[] {"GET", "/api/v1/admin/queues/ill"},
        new String[] {"PUT", "/api/v1/admin/queues/ill"}, new String[] {"DELETE", "/api/v1/admin/queues/ill"},
        new String[] {"GET", "/api/v1/admin/operators"}, new String[] {"POST", "/api/v1/admin/operators"},
        new String[] {"GET", "/api/v1/admin/operators/bob"}, new String[] {"PUT", "/api/v1/admin/operators/bob"},
        new String[] {"DELETE", "/api/v1/admin/operators/alice"}, new String[] {"GET", "/api/v1/stats"},
        new String[] {"GET", "/api/v1/stats.csv"}, new String[] {"GET", "/api/v1/stats.csv?rows=chats"});
    for (String[] call : calls) {
      for (String token : new String[] {null, "garbage", bob}) {
        TestNode.Http r = switch (call[0]) {
          case "GET" -> node.get(call[1], token);
          case "POST" -> node.post(call[1], body, token);
          case "PUT" -> node.put(call[1], body, token);
          default -> node.delete(call[1], token);
        };
        int expected = token == bob ? 403 : 401;
        assertThat(r.status()).as("%s %s as %s: %s", call[0], call[1], token == bob ? "bob" : token, r)
            .isEqualTo(expected);
        assertThat(r.json().getString("error")).isEqualTo(expected == 403 ? "forbidden" : "unauthorized");
      }
    }
    assertThat(node.get("/api/v1/stats.csv?token=" + bob).status()).isEqualTo(403);
    assertThat(node.get("/api/v1/stats.csv?token=garbage").status()).isEqualTo(401);
    // nothing changed, and an admin still gets through
    assertThat(node.get("/api/v1/admin/operators", node.login("alice")).json().getJsonArray("operators")).hasSize(4);
    assertThat(node.get("/api/v1/queues").jsonArray()).hasSize(2);
  }

  @Test
  void consoleSocketsAreRefusedFromOtherSitesAndGuestSocketsFromUnlistedOnes(Vertx vertx) {
    TestNode node = TestNode.builder(vertx)
        .editConfig(c -> c.getJsonObject("http").put("allowedOrigins", new JsonArray().add("https://library.example")))
        .start();
    WebSocketClient client = HostileSocket.client(vertx);
    String self = "http://localhost:" + node.port();
    assertThat(opens(client, node, "/ws/operator", self)).isTrue();
    assertThat(opens(client, node, "/ws/operator", self.toUpperCase())).isTrue();
    for (String foreign : List.of("https://evil.example", "null", self + ".evil.example", "http://localhost",
        "http://localhost:" + (node.port() + 1), "https://library.example.evil.example")) {
      assertThat(opens(client, node, "/ws/operator", foreign)).as("console socket from %s", foreign).isFalse();
    }
    // the guest socket takes the listed sites (and the server's own), no others
    assertThat(opens(client, node, "/ws/guest", "https://library.example")).isTrue();
    assertThat(opens(client, node, "/ws/guest", self)).isTrue();
    assertThat(opens(client, node, "/ws/guest", "https://evil.example")).isFalse();
    assertThat(opens(client, node, "/ws/guest", "null")).isFalse();
  }

  private static boolean opens(WebSocketClient client, TestNode node, String path, String origin) {
    try (HostileSocket s = HostileSocket.connect(client, node.port(), path, Map.of("Origin", origin))) {
      return true;
    } catch (AssertionError e) {
      assertThat(e.getMessage()).contains("403");
      return false;
    }
  }

  @Test
  void passwordGuessingLocksTheUsernameAfterFiveFailures(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    for (int i = 1; i <= 5; i++) {
      TestNode.Http r = node.loginRequest("carol", "guess-" + i);
      assertThat(r.status()).as("guess %d", i).isEqualTo(401);
      assertThat(r.body()).doesNotContain("guess-");
    }
    TestNode.Http locked = node.loginRequest("carol", TestNode.PASSWORD);
    assertThat(locked.status()).as("the right password after five wrong ones").isEqualTo(429);
    assertThat(locked.json().getString("error")).isEqualTo("rate_limited");
    // unknown usernames are throttled the same way, and other operators are not affected
    for (int i = 1; i <= 5; i++) {
      assertThat(node.loginRequest("nobody", "guess").status()).isEqualTo(401);
    }
    assertThat(node.loginRequest("nobody", "guess").status()).isEqualTo(429);
    assertThat(node.loginRequest("dave", TestNode.PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void messageAndFrameFloodsAreRateLimitedAndTheSocketSurvives(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Flood").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");

    for (int i = 1; i <= 40; i++) {
      guest.send(FrameClient.guestMessage("flood " + i, "f" + i));
    }
    List<JsonObject> acks = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      acks.add(guest.next("ack"));
    }
    assertThat(acks).extracting(a -> a.getInteger("seq")).doesNotHaveDuplicates().hasSize(30);
    for (int i = 0; i < 10; i++) {
      guest.expectError("rate_limited");
    }
    // frames of any kind: 120 per 10 s; the 160 below include the 40 above
    for (int i = 0; i < 120; i++) {
      guest.send(new JsonObject().put("type", "typing").put("typing", i % 2 == 0));
    }
    guest.expectError("rate_limited");
    guest.assertOpen();
    assertThat(node.chat(chatId, node.login("alice")).getJsonArray("messages")).hasSize(30);

    // an operator's console is allowed far more, but not without end: a runaway one whose frames
    // are all refused is closed once its budget of refused frames is spent (docs/SECURITY.md)
    FrameClient bob = FrameClient.operator(node, "bob");
    try {
      for (int i = 0; i < 1001 && !bob.isClosed(); i++) {
        bob.send(new JsonObject().put("type", "typing").put("chatId", "nope").put("typing", true));
      }
    } catch (AssertionError closedWhileSending) {
      // the node closed the socket under the last write
    }
    assertThat(bob.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 1008);
  }

  @Test
  void chatStartsFromOneAddressAreRateLimitedAcrossSockets(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    WebSocketClient client = HostileSocket.client(vertx);
    // the node sits behind a proxy on its own host, which names the client in X-Forwarded-For
    Map<String, String> flooder = Map.of("X-Forwarded-For", "198.51.100.7, 203.0.113.9");
    List<HostileSocket> sockets = new ArrayList<>();
    try {
      for (int i = 1; i <= SharedLimits.CHAT_STARTS.max(); i++) {
        HostileSocket s = HostileSocket.connect(client, node.port(), "/ws/guest", flooder);
        sockets.add(s);
        s.send(new JsonObject().put("type", "start").put("queue", "general").put("name", "Bot " + i));
        assertThat(s.next("started", TestNode.TIMEOUT).getString("chatId")).isNotBlank();
      }
      HostileSocket refused = HostileSocket.connect(client, node.port(), "/ws/guest", flooder);
      sockets.add(refused);
      refused.send(new JsonObject().put("type", "start").put("queue", "general").put("name", "Bot 21"));
      JsonObject error = refused.next("error", TestNode.TIMEOUT);
      assertThat(error.getString("code")).isEqualTo("rate_limited");
      assertThat(refused.isClosed()).isFalse();

      // the spoofable first hop does not matter; another client behind the proxy is served
      HostileSocket other = HostileSocket.connect(client, node.port(), "/ws/guest",
          Map.of("X-Forwarded-For", "203.0.113.10"));
      sockets.add(other);
      other.send(new JsonObject().put("type", "start").put("queue", "general").put("name", "Someone else"));
      assertThat(other.next("started", TestNode.TIMEOUT).getString("chatId")).isNotBlank();
    } finally {
      sockets.forEach(HostileSocket::close);
    }
    // a client on the node's own host with no proxy header (tests, load generators) is not counted
    for (int i = 0; i < SharedLimits.CHAT_STARTS.max() + 5; i++) {
      try (FrameClient local = FrameClient.guest(node)) {
        local.start("general", "Local " + i);
      }
    }
  }

  @Test
  void oversizedRequestBodiesAreRefusedWith413(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String big = "x".repeat(70 * 1024);
    for (String path : List.of("/api/v1/login", "/api/v1/offline", "/api/v1/canned", "/api/v1/admin/queues")) {
      TestNode.Http r = node.post(path, new JsonObject().put("text", big), null);
      assertThat(r.status()).as("POST %s with 70 KiB", path).isEqualTo(413);
      assertThat(r.json().getString("error")).isEqualTo("too_large");
    }
    assertThat(node.get("/health/live").status()).isEqualTo(200);
  }

  /**
   * The socket addresses answer what is not a handshake like any other address, even with a body
   * far over the limit: the handshake decoder used to answer 413 and close at once, and the unread
   * body reset the connection before the client read the answer (a flake of the HTTP fuzz test).
   */
  @Test
  void socketAddressesAnswerAnythingButAHandshakeWithAnError(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx);
    String big = "x".repeat(70 * 1024);
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    for (String path : List.of("/ws/guest", "/ws/operator")) {
      for (String method : List.of("GET", "TRACE", "POST")) {
        for (String body : List.of("", big)) {
          java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(node.uri(path))
              .method(method, body.isEmpty() ? java.net.http.HttpRequest.BodyPublishers.noBody()
                  : java.net.http.HttpRequest.BodyPublishers.ofString(body))
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
          String what = method + " " + path + " with " + body.length() + " bytes";
          assertThat(r.statusCode()).as(what).isEqualTo(method.equals("GET") ? 400 : 405);
          assertThat(new JsonObject(r.body()).getString("error")).as(what).isEqualTo("bad_request");
        }
      }
    }
    assertThat(node.get("/health/live").status()).isEqualTo(200);
  }

  @Test
  void hostileStringsComeBackLiterallyFromEveryJsonApi(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String admin = node.login("alice");
    JsonObject queue = new JsonObject().put("name", "xss").put("title", XSS)
        .put("skin", new JsonObject().put("greeting", XSS).put("title", XSS));
    assertThat(node.post("/api/v1/admin/queues", queue, admin).status()).isEqualTo(201);
    JsonObject erin = new JsonObject().put("id", "erin").put("name", XSS).put("queues", new JsonArray().add("xss"))
        .put("password", "erin-pw-123456");
    assertThat(node.post("/api/v1/admin/operators", erin, admin).status()).isEqualTo(201);
    String erinToken = node.loginRequest("erin", "erin-pw-123456").json().getString("token");
    FrameClient console = FrameClient.operator(node, "erin", erinToken);
    console.available("xss", true);
    node.awaitPresence("xss", true);

    FrameClient guest = FrameClient.guest(node);
    guest.send(new JsonObject().put("type", "start").put("queue", "xss").put("name", XSS).put("email", XSS)
        .put("page", XSS));
    String chatId = guest.next("started").getString("chatId");
    JsonObject offer = console.offerFor(chatId);
    assertThat(offer.getJsonObject("guest").getString("name")).isEqualTo(XSS);
    JsonObject accepted = console.accept(chatId);
    assertThat(accepted.getJsonObject("guest").getString("email")).isEqualTo(XSS);
    assertThat(guest.next("joined").getString("operator")).isEqualTo(XSS);
    guest.say(XSS);
    assertThat(console.next("message").getString("text")).isEqualTo(XSS);
    console.say(chatId, XSS);
    assertThat(guest.next("message").getString("text")).isEqualTo(XSS);

    TestNode.Http record = node.get("/api/v1/chats/" + chatId, admin);
    assertJson(record);
    JsonObject chat = record.json();
    assertThat(chat.getJsonObject("guest").getString("name")).isEqualTo(XSS);
    assertThat(chat.getJsonObject("guest").getString("page")).isEqualTo(XSS);
    assertThat(chat.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly(XSS, XSS);

    assertThat(node.post("/api/v1/offline", new JsonObject().put("queue", "xss").put("name", XSS)
        .put("email", "pat@example.org").put("question", XSS).put("page", XSS), null).status()).isEqualTo(201);
    TestNode.Http inbox = node.get("/api/v1/offline", admin);
    assertJson(inbox);
    JsonObject left = inbox.json().getJsonArray("messages").getJsonObject(0);
    assertThat(List.of(left.getString("name"), left.getString("question"), left.getString("page")))
        .containsOnly(XSS);

    assertThat(node.post("/api/v1/canned", new JsonObject().put("queue", "xss").put("shortcut", "x").put("text", XSS),
        erinToken).status()).isEqualTo(201);
    TestNode.Http canned = node.get("/api/v1/canned", erinToken);
    assertJson(canned);
    assertThat(canned.json().getJsonArray("responses").getJsonObject(0).getString("text")).isEqualTo(XSS);

    TestNode.Http queues = node.get("/api/v1/queues");
    assertJson(queues);
    JsonObject listed = queues.jsonArray().stream().map(q -> (JsonObject) q)
        .filter(q -> "xss".equals(q.getString("name"))).findFirst().orElseThrow();
    assertThat(listed.getString("title")).isEqualTo(XSS);
    assertThat(listed.getJsonObject("skin").getString("greeting")).isEqualTo(XSS);
    assertThat(node.get("/api/v1/admin/operators/erin", admin).json().getString("name")).isEqualTo(XSS);

    // the badge is markup: there the title is escaped, not literal
    TestNode.Http badge = node.get("/api/v1/presence/xss/badge.svg");
    assertThat(badge.body()).doesNotContain("<script").doesNotContain("<img").contains("&lt;script&gt;");
    // a script answer only ever calls a plain name
    assertThat(node.get("/api/v1/presence/xss?format=js&callback=alert(document.cookie)//").status()).isEqualTo(400);
    assertThat(node.get("/api/v1/presence/xss?format=js&var=a%3Balert(1)").status()).isEqualTo(400);
    // a raw ';' ends the parameter (the query decoder splits on it): what is left is a plain name
    assertThat(node.get("/api/v1/presence/xss?format=js&var=a;alert(1)").body()).startsWith("window.a = {")
        .doesNotContain("alert");
  }

  private static void assertJson(TestNode.Http r) {
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.header("X-Content-Type-Options")).contains("nosniff");
  }

  @Test
  void csvCellsASpreadsheetWouldRunAreDefused(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String admin = node.login("alice");
    List<String> names = List.of("=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1)",
        "\t=1+1", "\r=1+1", "=1,2\n=3", "Pat \"PJ\" O'Neil");
    for (String name : names) {
      try (FrameClient guest = FrameClient.guest(node)) {
        guest.send(new JsonObject().put("type", "start").put("queue", "general").put("name", name));
        guest.next("started");
      }
    }
    TestNode.Http csv = node.get("/api/v1/stats.csv?rows=chats", admin);
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    assertThat(csv.header("Content-Disposition")).hasValueSatisfying(d -> assertThat(d).startsWith("attachment"));
    List<List<String>> rows = Csv.parse(csv.body());
    int column = rows.get(0).indexOf("guest_name");
    List<String> cells = rows.subList(1, rows.size()).stream().map(r -> r.get(column)).toList();
    assertThat(cells).hasSize(names.size());
    for (String cell : cells) {
      if (cell.startsWith("Pat")) {
        assertThat(cell).isEqualTo("Pat \"PJ\" O'Neil");
      } else {
        assertThat(cell).as("a cell that a spreadsheet would evaluate").startsWith("'");
      }
    }
    assertThat(cells).contains("'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1+1", "'-2+3", "'@SUM(A1)");
  }

  /** Just enough RFC 4180 to read the export back. */
  static final class Csv {
    static List<List<String>> parse(String text) {
      List<List<String>> rows = new ArrayList<>();
      List<String> row = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
            cell.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            cell.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          row.add(cell.toString());
          cell.setLength(0);
        } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          row.add(cell.toString());
          cell.setLength(0);
          rows.add(row);
          row = new ArrayList<>();
          i++;
        } else {
          cell.append(c);
        }
      }
      return rows;
    }
  }
}
