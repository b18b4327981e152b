package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Issue 13's socket defects against a node in its own JVM with a small heap (128 MiB, in-memory
 * state, started like the README's run command), driven from outside the process: clients that
 * flood refused frames or pings and never read what they are sent, and a guest that stops reading
 * while its librarian keeps writing. Before the fix the first took the node's heap within seconds
 * and the second was never closed (105 MB queued for one socket). Now each is closed, counted in
 * /metrics, /health/live answers throughout, and a chat on the same node carries on; the slow guest
 * resumes and finds every message. Also: newlines in a guest's name or a sign-in username do not
 * forge log lines in the node's real log output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SocketExhaustionTest {
  private static final Pattern CLOSED_METRIC = Pattern.compile(
      "switchboard_sockets_closed_total\\{kind=\"(\\w+)\",reason=\"(\\w+)\"} ([0-9.]+)");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Vertx clients;
  private NodeProcess node;

  @BeforeAll
  void startNode() throws Exception {
    clients = Vertx.vertx();
    String config = TestNode.builder(clients).configJson();
    node = NodeProcess.start(config, null, "small-heap", "socket-exhaustion-node", "128m");
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      node.close();
    }
    TestNode.await(clients.close(), Duration.ofSeconds(15));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(String user, String password) throws Exception {
    String body = new JsonObject().put("username", user).put("password", password).encode();
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port() + "/api/v1/login"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private double closedCount(String kind, String reason) throws Exception {
    Matcher m = CLOSED_METRIC.matcher(get("/metrics").body());
    double total = 0;
    while (m.find()) {
      if (m.group(1).equals(kind) && m.group(2).equals(reason)) {
        total += Double.parseDouble(m.group(3));
      }
    }
    return total;
  }

  private void assertLive() throws Exception {
    assertThat(node.isAlive()).as("node process alive (log: %s)", node.log()).isTrue();
    assertThat(get("/health/live").statusCode()).as("/health/live").isEqualTo(200);
  }

  private record Chat(FrameClient operator, FrameClient guest, String chatId, String token) {}

  /** {@code user} answers a guest on ill (a queue only they staff in the test set-up, or general). */
  private Chat chat(WebSocketClient ws, WebSocketClient guestClient, String user, String queue) throws Exception {
    String token = new JsonObject(login(user, TestNode.PASSWORD).body()).getString("token");
    FrameClient operator = FrameClient.connect(ws, node.port(), "/ws/operator", user);
    operator.send(new JsonObject().put("type", "auth").put("token", token));
    operator.next("ready");
    operator.available(queue, true);
    operator.next("availability");
    FrameClient guest = FrameClient.connect(guestClient, node.port(), "/ws/guest", "guest of " + user);
    JsonObject started = guest.start(queue, "Guest of " + user);
    String chatId = started.getString("chatId");
    operator.offerFor(chatId, Duration.ofSeconds(10));
    operator.accept(chatId);
    guest.next("joined");
    return new Chat(operator, guest, chatId, started.getString("token"));
  }

  private static void stillChatting(Chat c, String text) {
    c.guest().say(text + " (guest)");
    assertThat(c.operator().nextFor("message", c.chatId()).getString("text")).isEqualTo(text + " (guest)");
    c.operator().say(c.chatId(), text + " (operator)");
    assertThat(c.guest().next("message", m -> (text + " (operator)").equals(m.getString("text")), TestNode.TIMEOUT))
        .isNotNull();
  }

  @Test
  void floodersThatNeverReadAreClosedAndTheNodeStaysUp() throws Exception {
    WebSocketClient ws = HostileSocket.client(clients);
    Chat chat = chat(ws, ws, "alice", "ill");
    double refusedBefore = closedCount("guest", "refused_frames");
    double pingsBefore = closedCount("guest", "ping_flood");

    List<HostileSocket> flooders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      HostileSocket s = HostileSocket.connect(ws, node.port(), "/ws/guest", Map.of());
      s.pause(); // never reads: every error frame and pong the node writes stays queued for it
      flooders.add(s);
    }
    long frames = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline && flooders.stream().anyMatch(s -> !s.isClosed())) {
      boolean wrote = false;
      for (int i = 0; i < flooders.size(); i++) {
        HostileSocket s = flooders.get(i);
        // three send refused frames ({} has no type), one sends pings
        for (int k = 0; k < 200 && (i < 3 ? s.textNoWait("{}") : s.pingNoWait()); k++) {
          frames++;
          wrote = true;
        }
      }
      if (!wrote) {
        Thread.sleep(1);
      }
    }
    assertLive();
    stillChatting(chat, "during the flood");
    for (HostileSocket s : flooders) {
      s.resume();
      s.awaitClose(Duration.ofSeconds(30));
    }
    System.out.printf("flood: %d frames sent by 4 sockets that did not read, each closed by the node%n", frames);
    TestNode.waitUntil(() -> {
      try {
        return closedCount("guest", "refused_frames") >= refusedBefore + 3
            && closedCount("guest", "ping_flood") >= pingsBefore + 1;
      } catch (Exception e) {
        return false;
      }
    }, Duration.ofSeconds(10), "the closes to be counted in /metrics");
    assertLive();
    stillChatting(chat, "after the flood");
  }

  @Test
  void aGuestThatStopsReadingIsClosedAndFindsEveryMessageWhenItResumes() throws Exception {
    WebSocketClient ws = HostileSocket.client(clients);
    WebSocketClient slow = HostileSocket.slowReaderClient(clients);
    Chat other = chat(ws, ws, "dave", "general");
    Chat chat = chat(ws, slow, "carol", "ill");
    double before = closedCount("guest", "too_slow");
    chat.guest().pauseReading();

    String text = "x".repeat(3_900);
    TreeSet<Integer> acked = new TreeSet<>();
    long started = System.nanoTime();
    int sent = 0;
    while (sent < 4_000 && closedCount("guest", "too_slow") <= before) {
      for (int k = 0; k < 50; k++) { // ~90 a second: under the console's 1,000 frames per 10 s
        acked.add(chat.operator().say(chat.chatId(), text + " " + sent++).getInteger("seq"));
        Thread.sleep(10);
      }
      assertLive();
    }
    double closedAfterMs = (System.nanoTime() - started) / 1e6;
    assertThat(closedCount("guest", "too_slow")).as("the guest's socket was closed for not reading")
        .isGreaterThan(before);
    System.out.printf("slow reader: closed after %d messages of %d characters (%.0f ms)%n", acked.size(),
        text.length(), closedAfterMs);
    assertLive();
    stillChatting(other, "while carol wrote");
    chat.operator().assertOpen();

    // the guest comes back (as the widget does on any close) and finds every message
    FrameClient back = FrameClient.connect(ws, node.port(), "/ws/guest", "guest back");
    back.send(new JsonObject().put("type", "resume").put("chatId", chat.chatId()).put("token", chat.token())
        .put("lastSeq", 0));
    TreeSet<Integer> replayed = new TreeSet<>();
    JsonObject f;
    while (!"resumed".equals((f = back.nextAny(Duration.ofSeconds(20))).getString("type"))) {
      if ("message".equals(f.getString("type"))) {
        replayed.add(f.getInteger("seq"));
      }
    }
    assertThat(replayed).containsAll(acked);
    back.say("I am back");
    assertThat(chat.operator().nextFor("message", chat.chatId()).getString("text")).isEqualTo("I am back");
  }

  @Test
  void newlinesInAGuestNameOrAUsernameDoNotForgeLogLines() throws Exception {
    String forged = "12:00:00.000 INFO  [small-heap] Auth - alice in"; // a username is at most 64 characters
    WebSocketClient ws = HostileSocket.client(clients);
    HostileSocket guest = HostileSocket.connect(ws, node.port(), "/ws/guest", Map.of());
    guest.send(new JsonObject().put("type", "start").put("queue", "general").put("name", "Pat\n" + forged));
    guest.next("started", TestNode.TIMEOUT);
    assertThat(login("eve\r\n" + forged, "wrong").statusCode()).isEqualTo(401);

    TestNode.waitUntil(() -> {
      try {
        String log = Files.readString(node.log());
        return log.contains("by guest Pat\\n12:00:00.000") && log.contains("failed sign-in for eve\\r\\n12:00:00.000");
      } catch (Exception e) {
        return false;
      }
    }, Duration.ofSeconds(10), "both lines in the node's log, with the newlines escaped");
    List<String> lines = Files.readAllLines(node.log());
    assertThat(lines).noneMatch(line -> line.startsWith("12:00:00.000"));
    guest.close();
  }
}
