package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.limits.SharedLimits;

/**
 * Issue 13, tried as an attacker on the public internet would, against one node in the test's JVM:
 * refused-frame and ping floods are closed (1008) after a few capped error frames, invalid UTF-8
 * is closed with 1007, the offline form counts the client behind a proxy (not the proxy), the JSON
 * stats take no token in the URL, and /metrics can be closed to all but a token or an address.
 * (The small-heap flood and slow-reader runs are {@link SocketExhaustionTest}.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PublicInternetTest {

  /** alice answers Pat on ill; they exchange a line each way; returns the chat id. */
  private static String liveChat(TestNode node, FrameClient alice, FrameClient guest) {
    alice.available("ill", true);
    node.awaitPresence("ill", true);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.next("joined");
    guest.say("before the flood");
    alice.nextFor("message", chatId);
    return chatId;
  }

  private static void stillChatting(FrameClient alice, FrameClient guest, String chatId, String text) {
    guest.say(text + " (guest)");
    assertThat(alice.nextFor("message", chatId).getString("text")).isEqualTo(text + " (guest)");
    alice.say(chatId, text + " (alice)");
    assertThat(guest.next("message").getString("text")).isEqualTo(text + " (alice)");
  }

  @Test
  void aFloodOfRefusedFramesGetsAFewErrorsAndIsClosedWith1008(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient pat = FrameClient.guest(node);
    String chatId = liveChat(node, alice, pat);

    WebSocketClient client = HostileSocket.client(vertx);
    try (HostileSocket flooder = HostileSocket.connect(client, node.port(), "/ws/guest", Map.of())) {
      int sent = 0;
      while (sent < 2_000 && !flooder.isClosed()) {
        if (flooder.textNoWait("{}")) {
          sent++;
        } else {
          TestNode.await(vertx.timer(1));
        }
      }
      assertThat(flooder.awaitClose(TestNode.TIMEOUT)).as("closed for refused frames (policy violation)")
          .isEqualTo((short) 1008);
      List<JsonObject> errors = new ArrayList<>();
      for (JsonObject f = flooder.next(Duration.ZERO); f != null; f = flooder.next(Duration.ZERO)) {
        errors.add(f);
      }
      assertThat(errors).as("a few error frames, not one per refused frame").isNotEmpty()
          .hasSizeLessThanOrEqualTo(20).allMatch(e -> "error".equals(e.getString("type")));
    }
    // the same node's real chat carried on, and the node answers
    stillChatting(alice, pat, chatId, "after the flood");
    assertThat(node.get("/health/live").status()).isEqualTo(200);
    assertThat(node.get("/metrics").body())
        .contains("switchboard_sockets_closed_total{kind=\"guest\",reason=\"refused_frames\"} 1.0");
  }

  @Test
  void anOperatorConsoleThatKeepsSendingRefusedFramesIsClosedToo(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient bob = FrameClient.operator(node, "bob");
    try {
      for (int i = 0; i < 400 && !bob.isClosed(); i++) {
        bob.send(new JsonObject().put("type", "accept").put("chatId", "no-such-chat-" + i));
      }
    } catch (AssertionError closedWhileSending) {
      // the node closed the socket under the last write
    }
    assertThat(bob.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 1008);
    // bob signs in again at once: a closed console is not a locked account
    FrameClient again = FrameClient.operator(node, "bob");
    again.available("general", true);
    node.awaitPresence("general", true);
  }

  @Test
  void aPingFloodIsClosedWith1008(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    WebSocketClient client = HostileSocket.client(vertx);
    try (HostileSocket flooder = HostileSocket.connect(client, node.port(), "/ws/guest", Map.of())) {
      int sent = 0;
      while (sent < 5_000 && !flooder.isClosed()) {
        if (flooder.pingNoWait()) {
          sent++;
        } else {
          TestNode.await(vertx.timer(1));
        }
      }
      assertThat(flooder.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 1008);
    }
    // a client that pings now and then, as a proxy or a library does, is answered and kept
    try (HostileSocket polite = HostileSocket.connect(client, node.port(), "/ws/guest", Map.of())) {
      for (int i = 0; i < 10; i++) {
        polite.pingNoWait();
      }
      polite.send(new JsonObject().put("type", "start").put("queue", "general").put("name", "Polite"));
      assertThat(polite.next("started", TestNode.TIMEOUT).getString("chatId")).isNotBlank();
      assertThat(polite.isClosed()).isFalse();
    }
    assertThat(node.get("/metrics").body())
        .contains("switchboard_sockets_closed_total{kind=\"guest\",reason=\"ping_flood\"} 1.0");
  }

  @Test
  void invalidUtf8ClosesTheSocketWith1007AndValidUtf8SplitAcrossFramesIsRead(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    WebSocketClient client = HostileSocket.client(vertx);
    byte[] start = "{\"type\":\"start\",\"queue\":\"general\",\"name\":\"Ren".getBytes(StandardCharsets.UTF_8);
    // "é" is C3 A9: split between two frames it is still one valid message
    try (HostileSocket ok = HostileSocket.connect(client, node.port(), "/ws/guest", Map.of())) {
      ok.rawTextFrame(concat(start, new byte[] {(byte) 0xC3}), false);
      ok.rawContinuation(concat(new byte[] {(byte) 0xA9}, "e\"}".getBytes(StandardCharsets.UTF_8)), true);
      assertThat(ok.next("started", TestNode.TIMEOUT).getString("chatId")).isNotBlank();
    }
    // U+FFFD sent as itself (EF BF BD) is UTF-8: one frame, read as sent
    try (HostileSocket ok = HostileSocket.connect(client, node.port(), "/ws/guest", Map.of())) {
      ok.rawTextFrame(concat(start, new byte[] {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD}, "e\"}".getBytes(StandardCharsets.UTF_8)),
          true);
      assertThat(ok.next("started", TestNode.TIMEOUT).getString("chatId")).isNotBlank();
    }
    // C3 28 is not UTF-8: before the fix, a chat started for "Ren\uFFFD(e"
    try (HostileSocket bad = HostileSocket.connect(client, node.port(), "/ws/guest", Map.of())) {
      bad.rawTextFrame(concat(start, new byte[] {(byte) 0xC3, 0x28}, "e\"}".getBytes(StandardCharsets.UTF_8)), true);
      assertThat(bad.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 1007);
      assertThat(bad.next(Duration.ZERO)).as("no chat was started").isNull();
    }
    // the bad byte in a later fragment, and on the operator socket before sign-in
    try (HostileSocket bad = HostileSocket.connect(client, node.port(), "/ws/operator", Map.of())) {
      bad.rawTextFrame("{\"type\":\"auth\",\"token\":\"".getBytes(StandardCharsets.UTF_8), false);
      bad.rawContinuation(new byte[] {(byte) 0xFF, '"', '}'}, true);
      assertThat(bad.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 1007);
    }
    assertThat(node.get("/health/live").status()).isEqualTo(200);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void theOfflineFormCountsThePatronBehindTheProxyNotTheProxy(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    JsonObject form = new JsonObject().put("queue", "ill").put("name", "Pat").put("email", "pat@example.org")
        .put("question", "Can I renew by phone?");
    // the node sits behind a proxy on its own host, which names each patron in X-Forwarded-For
    Map<String, String> pat = Map.of("X-Forwarded-For", "198.51.100.20");
    for (int i = 1; i <= SharedLimits.OFFLINE_MESSAGES.max(); i++) {
      assertThat(node.post("/api/v1/offline", form, null, pat).status()).as("message %d", i).isEqualTo(201);
    }
    TestNode.Http refused = node.post("/api/v1/offline", form, null, pat);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.json().getString("error")).isEqualTo("rate_limited");
    // before the fix every patron behind the proxy got 429 for ten minutes
    assertThat(node.post("/api/v1/offline", form.copy().put("name", "Sam"), null,
        Map.of("X-Forwarded-For", "198.51.100.21")).status()).as("another patron").isEqualTo(201);
    // a spoofed first hop does not make Pat someone else: the proxy's own hop counts
    assertThat(node.post("/api/v1/offline", form, null,
        Map.of("X-Forwarded-For", "203.0.113.99, 198.51.100.20")).status()).isEqualTo(429);
    JsonArray inbox = node.get("/api/v1/offline", node.login("alice")).json().getJsonArray("messages");
    assertThat(inbox).hasSize(SharedLimits.OFFLINE_MESSAGES.max() + 1);
  }

  @Test
  void theJsonStatsTakeTheTokenOnlyInTheHeaderAndTheCsvLinkInTheUrl(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String admin = node.login("alice");
    TestNode.Http inUrl = node.get("/api/v1/stats?token=" + admin);
    assertThat(inUrl.status()).isEqualTo(401);
    assertThat(inUrl.json().getString("error")).isEqualTo("unauthorized");
    assertThat(node.get("/api/v1/stats", admin).status()).isEqualTo(200);
    TestNode.Http csv = node.get("/api/v1/stats.csv?token=" + admin);
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
  }

  @Test
  void metricsCanBeClosedToAllButABearerTokenOrAnAllowList(Vertx vertx) {
    String secret = "metrics-secret-0123456789";
    TestNode withToken = TestNode.builder(vertx)
        .editConfig(c -> c.put("metrics", new JsonObject().put("token", secret))).start();
    TestNode.Http none = withToken.get("/metrics");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().getString("error")).isEqualTo("unauthorized");
    assertThat(none.header("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
    assertThat(withToken.get("/metrics", "wrong-token-0123456789").status()).isEqualTo(401);
    TestNode.Http scraped = withToken.get("/metrics", secret);
    assertThat(scraped.status()).isEqualTo(200);
    assertThat(scraped.body()).contains("switchboard_sockets_open");

    TestNode elsewhere = TestNode.builder(vertx)
        .editConfig(c -> c.put("metrics", new JsonObject().put("allowFrom", new JsonArray().add("192.0.2.0/24"))))
        .start();
    TestNode.Http refused = elsewhere.get("/metrics");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().getString("error")).isEqualTo("forbidden");
    // a forwarded address cannot talk its way in: the peer itself is checked
    assertThat(elsewhere.get("/metrics", null, Map.of("X-Forwarded-For", "192.0.2.10")).status()).isEqualTo(403);

    TestNode local = TestNode.builder(vertx)
        .editConfig(c -> c.put("metrics", new JsonObject().put("allowFrom", new JsonArray().add("127.0.0.1").add("::1"))))
        .start();
    assertThat(local.get("/metrics").status()).isEqualTo(200);
    // health stays open for the balancer
    assertThat(withToken.get("/health/live").status()).isEqualTo(200);
    assertThat(elsewhere.get("/health/ready").status()).isEqualTo(200);
  }
}
