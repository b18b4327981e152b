package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.limits.SharedLimits;
import switchboard.mail.FakeSmtpServer;
import switchboard.store.RedisServer;

/**
 * Per-client limits are one rule shared by every node through Redis (issue 13): chat starts,
 * offline messages and transcript mails from one patron behind the proxy are counted together
 * whichever node each lands on, and the transcript mail is no relay: a few copies per chat and per
 * client across nodes, never for a chat nobody from the library answered.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientLimitsAcrossNodesTest {
  private static final String PATRON = "198.51.100.44";
  private static RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private FakeSmtpServer smtp;
  private TestNode a;
  private TestNode b;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void startNodes() throws Exception {
    smtp = new FakeSmtpServer();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    String prefix = "limits-" + UUID.randomUUID() + ":";
    JsonObject mail = new JsonObject().put("host", "127.0.0.1").put("port", smtp.port())
        .put("from", "chat@library.example").put("starttls", "DISABLED");
    a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients)
        .editConfig(c -> c.put("mail", mail.copy())).start();
    b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients)
        .editConfig(c -> c.put("mail", mail.copy())).start();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (Vertx v : new Vertx[] {vertxA, vertxB, clients}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    smtp.close();
  }

  private HostileSocket patronSocket(TestNode node) {
    return HostileSocket.connect(HostileSocket.client(clients), node.port(), "/ws/guest",
        Map.of("X-Forwarded-For", PATRON));
  }

  @Test
  void chatStartsAndOfflineMessagesFromOnePatronAreCountedOnEveryNode() {
    List<HostileSocket> sockets = new ArrayList<>();
    try {
      for (int i = 1; i <= SharedLimits.CHAT_STARTS.max(); i++) {
        HostileSocket s = patronSocket(i % 2 == 0 ? a : b);
        sockets.add(s);
        s.send(new JsonObject().put("type", "start").put("queue", "general").put("name", "Bot " + i));
        assertThat(s.next("started", TestNode.TIMEOUT).getString("chatId")).isNotBlank();
      }
      for (TestNode node : new TestNode[] {a, b}) {
        HostileSocket refused = patronSocket(node);
        sockets.add(refused);
        refused.send(new JsonObject().put("type", "start").put("queue", "general").put("name", "One more"));
        assertThat(refused.next("error", TestNode.TIMEOUT).getString("code")).as("on %s", node.nodeId())
            .isEqualTo("rate_limited");
      }
    } finally {
      sockets.forEach(HostileSocket::close);
    }

    JsonObject form = new JsonObject().put("queue", "ill").put("name", "Pat").put("email", "pat@example.org")
        .put("question", "Can I renew by phone?");
    Map<String, String> pat = Map.of("X-Forwarded-For", PATRON);
    for (int i = 1; i <= SharedLimits.OFFLINE_MESSAGES.max(); i++) {
      assertThat((i % 2 == 0 ? a : b).post("/api/v1/offline", form, null, pat).status()).isEqualTo(201);
    }
    assertThat(a.post("/api/v1/offline", form, null, pat).status()).isEqualTo(429);
    assertThat(b.post("/api/v1/offline", form, null, pat).status()).isEqualTo(429);
    assertThat(b.post("/api/v1/offline", form, null, Map.of("X-Forwarded-For", "198.51.100.45")).status())
        .as("another patron behind the same proxy").isEqualTo(201);
  }

  /** alice answers on {@code node}, says something, and closes; returns the guest socket, still open. */
  private HostileSocket answeredAndClosed(TestNode node, FrameClient alice, int n) {
    HostileSocket guest = patronSocket(node);
    guest.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", "Relay " + n));
    String chatId = guest.next("started", TestNode.TIMEOUT).getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    guest.send(new JsonObject().put("type", "message").put("text", "Buy cheap pills at spam.example " + n)
        .put("clientId", "r" + n));
    guest.next("ack", TestNode.TIMEOUT);
    alice.say(chatId, "Can I help you with anything else?");
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    guest.next("closed", TestNode.TIMEOUT);
    return guest;
  }

  private static String mailTo(HostileSocket guest, String address) {
    guest.send(new JsonObject().put("type", "email_transcript").put("email", address));
    JsonObject answer = guest.next(f -> "email_sent".equals(f.getString("type")) || "error".equals(f.getString("type")),
        TestNode.TIMEOUT);
    return "email_sent".equals(answer.getString("type")) ? "sent" : answer.getString("code");
  }

  @Test
  void transcriptMailIsNoRelayForAClientWithManyChatsOnTwoNodes() throws Exception {
    FrameClient alice = FrameClient.operator(a, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);

    // a chat nobody from the library answered carries only what the client wrote: never mailed
    HostileSocket abandoned = patronSocket(b);
    abandoned.send(new JsonObject().put("type", "start").put("queue", "ill").put("name", "Spammer"));
    abandoned.next("started", TestNode.TIMEOUT);
    abandoned.send(new JsonObject().put("type", "message").put("text", "Buy cheap pills").put("clientId", "s1"));
    abandoned.next("ack", TestNode.TIMEOUT);
    abandoned.send(new JsonObject().put("type", "close"));
    abandoned.next("closed", TestNode.TIMEOUT);
    assertThat(mailTo(abandoned, "victim@example.org")).isEqualTo("bad_request");

    // before the fix: 3 copies of each of 20 chats, counted per node, 60 mails in a second
    List<String> answers = new ArrayList<>();
    for (int n = 0; n < 4; n++) {
      HostileSocket guest = answeredAndClosed(n % 2 == 0 ? a : b, alice, n);
      for (int copy = 0; copy < 3; copy++) {
        answers.add(mailTo(guest, "victim" + n + copy + "@example.org"));
      }
      guest.close();
    }
    assertThat(answers.stream().filter("sent"::equals).count()).as("answers: %s", answers)
        .isEqualTo(SharedLimits.TRANSCRIPT_MAILS_PER_CLIENT.max());
    assertThat(answers.stream().filter(x -> !"sent".equals(x))).containsOnly("rate_limited");
    for (int i = 0; i < SharedLimits.TRANSCRIPT_MAILS_PER_CLIENT.max(); i++) {
      assertThat(smtp.next(10)).isNotNull();
    }
    assertThat(smtp.poll(500)).as("no more mail went out").isNull();
  }

  @Test
  void aChatsCopiesAreCountedAcrossNodesWhenItsGuestMovesToAnother() throws Exception {
    FrameClient alice = FrameClient.operator(a, "alice");
    alice.available("ill", true);
    a.awaitPresence("ill", true);
    // a guest on the node's own host is not counted per client: only the per-chat cap applies
    FrameClient guest = FrameClient.guest(a);
    JsonObject started = guest.start("ill", "Pat");
    String chatId = started.getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    alice.say(chatId, "Here is the link you asked for");
    alice.send(new JsonObject().put("type", "close").put("chatId", chatId));
    guest.next("closed");
    for (int i = 0; i < SharedLimits.TRANSCRIPT_COPIES_PER_CHAT.max(); i++) {
      guest.send(new JsonObject().put("type", "email_transcript").put("email", "pat@example.org"));
      guest.next("email_sent");
    }
    // the same chat resumed on the other node gets no fresh allowance
    FrameClient moved = FrameClient.guest(b);
    moved.send(new JsonObject().put("type", "resume").put("chatId", chatId).put("token", started.getString("token"))
        .put("lastSeq", 0));
    moved.next("resumed");
    moved.send(new JsonObject().put("type", "email_transcript").put("email", "pat@example.org"));
    moved.expectError("rate_limited");
    for (int i = 0; i < SharedLimits.TRANSCRIPT_COPIES_PER_CHAT.max(); i++) {
      assertThat(smtp.next(10).rcptTo()).containsExactly("pat@example.org");
    }
    assertThat(smtp.poll(500)).isNull();
  }
}
