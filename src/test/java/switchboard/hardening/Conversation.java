package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * A chat between a guest and alice across several nodes, driven the way the widget and the
 * console drive it, while a test breaks things under it: each side may drop its socket right
 * after sending (so the ack may be lost), reconnect to any node, resume from the last seq it has
 * without a gap, and resend what was not acknowledged with the same clientId, retrying while the
 * server answers {@code unavailable}. It remembers what each side sent, what was acknowledged and
 * what each side was shown, and {@link #verify} checks nothing acknowledged was lost and nothing
 * was stored or numbered twice.
 */
final class Conversation {
  private static final Duration RETRY_FOR = Duration.ofSeconds(40);

  private final List<TestNode> nodes;
  private final Random random;
  private final String aliceToken;
  private final String chatId;
  private final String guestToken;
  private FrameClient guest;
  private FrameClient operator;
  /** Guest: seqs shown on the current socket (the server promises no repeats on one socket). */
  private Set<Integer> guestSocketSeqs = new HashSet<>();

  /** text → the seq its sender's ack named. */
  private final Map<String, Integer> acked = new LinkedHashMap<>();
  private final Map<String, String> pendingGuest = new LinkedHashMap<>(); // clientId → text
  private final Map<String, String> pendingOperator = new LinkedHashMap<>();
  /** What each side was shown: seq → text (each side shows a seq once, as the pages do). */
  private final Map<Integer, String> guestView = new TreeMap<>();
  private final Map<Integer, String> operatorView = new TreeMap<>();
  private final List<String> conflicts = new ArrayList<>();
  private final List<Long> ackTimes = new ArrayList<>();
  private int sent;
  private int drops;
  private long slowestReconnectMs;
  private int counter;

  Conversation(List<TestNode> nodes, long seed) {
    this.nodes = nodes;
    this.random = new Random(seed);
    TestNode first = nodes.get(0);
    this.aliceToken = first.login("alice");
    this.operator = FrameClient.operator(anyNode(), "alice", aliceToken);
    operator.available("ill", true);
    first.awaitPresence("ill", true);
    this.guest = FrameClient.guest(anyNode());
    JsonObject started = guest.start("ill", "Pat");
    this.chatId = started.getString("chatId");
    this.guestToken = started.getString("token");
    operator.offerFor(chatId);
    record(operatorView, operator.accept(chatId).getJsonArray("history"));
    guest.next("joined");
  }

  private TestNode anyNode() {
    return nodes.get(random.nextInt(nodes.size()));
  }

  String chatId() {
    return chatId;
  }

  int sent() {
    return sent;
  }

  int drops() {
    return drops;
  }

  long slowestReconnectMs() {
    return slowestReconnectMs;
  }

  /** One random step: someone says something (and maybe drops right after), or a socket drops. */
  void step() {
    int action = random.nextInt(10);
    if (action < 4) {
      guestSays(random.nextInt(5) == 0);
    } else if (action < 8) {
      operatorSays(random.nextInt(5) == 0);
    } else if (action == 8) {
      dropGuest();
    } else {
      dropOperator();
    }
    drain();
  }

  void guestSays(boolean dropAfterSending) {
    String clientId = "g" + (++counter);
    String text = "guest line " + counter;
    pendingGuest.put(clientId, text);
    sent++;
    guest.send(FrameClient.guestMessage(text, clientId));
    if (dropAfterSending) {
      dropGuest();
    } else {
      awaitAck(true, clientId, text);
    }
  }

  void operatorSays(boolean dropAfterSending) {
    String clientId = "o" + (++counter);
    String text = "operator line " + counter;
    pendingOperator.put(clientId, text);
    sent++;
    operator.send(FrameClient.operatorMessage(chatId, text, clientId));
    if (dropAfterSending) {
      dropOperator();
    } else {
      awaitAck(false, clientId, text);
    }
  }

  /** Waits for the ack; an `unavailable` refusal (the store is away) is retried, as the pages do. */
  private void awaitAck(boolean fromGuest, String clientId, String text) {
    long deadline = System.nanoTime() + RETRY_FOR.toNanos();
    while (true) {
      FrameClient c = fromGuest ? guest : operator;
      JsonObject f;
      try {
        f = c.nextMatching(x -> ("ack".equals(x.getString("type")) && clientId.equals(x.getString("clientId")))
            || ("error".equals(x.getString("type")) && (!x.containsKey("chatId") || chatId.equals(x.getString("chatId")))),
            Duration.ofSeconds(10), "ack of " + clientId);
      } catch (AssertionError timeout) {
        if (c.isClosed()) { // the server closed it (e.g. an outage): reconnect and resend
          reconnect(fromGuest);
          return;
        }
        throw timeout;
      }
      if ("ack".equals(f.getString("type"))) {
        recordAck(text, f.getInteger("seq"));
        (fromGuest ? pendingGuest : pendingOperator).remove(clientId);
        if (fromGuest) {
          shown(guestView, f.getInteger("seq"), text, "guest's own");
        } else {
          shown(operatorView, f.getInteger("seq"), text, "operator's own");
        }
        return;
      }
      assertThat(f.getString("code")).as("refusal of %s: %s", clientId, f).isEqualTo("unavailable");
      assertThat(System.nanoTime()).as("%s still refused after %s", clientId, RETRY_FOR).isLessThan(deadline);
      sleep(250);
      c.send(fromGuest ? FrameClient.guestMessage(text, clientId) : FrameClient.operatorMessage(chatId, text, clientId));
    }
  }

  /** When the first ack after {@code sinceNanos} came (System.nanoTime), or -1. */
  long firstAckAfter(long sinceNanos) {
    return ackTimes.stream().filter(t -> t >= sinceNanos).findFirst().orElse(-1L);
  }

  private void recordAck(String text, int seq) {
    ackTimes.add(System.nanoTime());
    Integer before = acked.put(text, seq);
    if (before != null && before != seq) {
      conflicts.add(text + " acked as " + before + " and " + seq);
    }
  }

  void dropGuest() {
    drops++;
    guest.drop();
    reconnect(true);
  }

  void dropOperator() {
    drops++;
    operator.drop();
    reconnect(false);
  }

  private void reconnect(boolean isGuest) {
    long t0 = System.nanoTime();
    if (isGuest) {
      resumeGuest(lastContiguous(guestView));
      for (Map.Entry<String, String> p : new ArrayList<>(pendingGuest.entrySet())) {
        guest.send(FrameClient.guestMessage(p.getValue(), p.getKey()));
        awaitAck(true, p.getKey(), p.getValue());
      }
    } else {
      reopenConsole();
      for (Map.Entry<String, String> p : new ArrayList<>(pendingOperator.entrySet())) {
        operator.send(FrameClient.operatorMessage(chatId, p.getValue(), p.getKey()));
        awaitAck(false, p.getKey(), p.getValue());
      }
    }
    slowestReconnectMs = Math.max(slowestReconnectMs, (System.nanoTime() - t0) / 1_000_000);
  }

  /** A new guest socket on any node resumes after {@code lastSeq}; retried while the store is away. */
  void resumeGuest(int lastSeq) {
    long deadline = System.nanoTime() + RETRY_FOR.toNanos();
    while (true) {
      guest.close();
      guest = FrameClient.guest(anyNode());
      guestSocketSeqs = new HashSet<>();
      guest.send(new JsonObject().put("type", "resume").put("chatId", chatId).put("token", guestToken)
          .put("lastSeq", lastSeq));
      while (true) {
        JsonObject f = guest.nextMatching(x -> Set.of("message", "resumed", "error").contains(x.getString("type")),
            Duration.ofSeconds(10), "the replay and resumed");
        if ("message".equals(f.getString("type"))) {
          guestGot(f);
        } else if ("resumed".equals(f.getString("type"))) {
          assertThat(f.getString("state")).isEqualTo("active");
          return;
        } else {
          assertThat(f.getString("code")).as("resume refused: %s", f).isEqualTo("unavailable");
          break;
        }
      }
      assertThat(System.nanoTime()).as("resume still refused after %s", RETRY_FOR).isLessThan(deadline);
      sleep(250);
    }
  }

  /** A new console on any node: signs in with the same token, gets the chat back with its history. */
  void reopenConsole() {
    long deadline = System.nanoTime() + RETRY_FOR.toNanos();
    while (true) {
      operator.close();
      operator = FrameClient.operatorSocket(anyNode(), aliceToken, "alice");
      JsonObject f = null;
      long wait = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (f == null && !operator.isClosed()) { // short slices: a socket closed on us sends no frame
        try {
          f = operator.nextMatching(x -> "accepted".equals(x.getString("type")) && chatId.equals(x.getString("chatId"))
              || "error".equals(x.getString("type")), Duration.ofMillis(100), "the chat back after reconnecting");
        } catch (AssertionError e) {
          if (System.nanoTime() > wait) {
            throw e;
          }
        }
      }
      if (f != null && "accepted".equals(f.getString("type"))) {
        record(operatorView, f.getJsonArray("history"));
        return;
      }
      if (operator.isClosed()) {
        assertThat(operator.closed().join()).as("a console turned away during an outage must not be signed out")
            .isNotEqualTo((short) 4401);
      }
      assertThat(System.nanoTime()).as("console still not back after %s", RETRY_FOR).isLessThan(deadline);
      sleep(250);
    }
  }

  /** Takes in what has arrived on both sockets so far. */
  void drain() {
    for (JsonObject f : guest.pending("message", x -> true)) {
      guestGot(f);
    }
    for (JsonObject f : operator.pending("message", x -> chatId.equals(x.getString("chatId")))) {
      shown(operatorView, f.getInteger("seq"), f.getString("text"), "operator live");
    }
    guest.discardUnread();
    operator.discardUnread();
  }

  private void guestGot(JsonObject f) {
    int seq = f.getInteger("seq");
    if (!guestSocketSeqs.add(seq)) {
      conflicts.add("seq " + seq + " sent twice on one guest socket");
    }
    shown(guestView, seq, f.getString("text"), "guest");
  }

  private void record(Map<Integer, String> view, JsonArray history) {
    for (Object m : history) {
      JsonObject message = (JsonObject) m;
      shown(view, message.getInteger("seq"), message.getString("text"), "history");
    }
  }

  private void shown(Map<Integer, String> view, int seq, String text, String where) {
    String before = view.putIfAbsent(seq, text);
    if (before != null && !before.equals(text)) {
      conflicts.add(where + ": seq " + seq + " was \"" + before + "\" and now \"" + text + "\"");
    }
  }

  private static Map<Integer, String> spoken(Map<Integer, String> view) {
    Map<Integer, String> out = new TreeMap<>(view);
    out.values().removeIf(t -> !t.startsWith("guest line ") && !t.startsWith("operator line "));
    return out;
  }

  private static int lastContiguous(Map<Integer, String> view) {
    int n = 0;
    while (view.containsKey(n + 1)) {
      n++;
    }
    return n;
  }

  /**
   * Reconnects both sides once more (a full replay for the guest, the history for the console)
   * and checks: every message sent was acknowledged and stored exactly once under the seq its ack
   * named; seqs run 1..n without a gap; both sides were shown exactly the transcript.
   */
  void verify() {
    for (Map.Entry<String, String> p : new ArrayList<>(pendingGuest.entrySet())) {
      guest.send(FrameClient.guestMessage(p.getValue(), p.getKey()));
      awaitAck(true, p.getKey(), p.getValue());
    }
    for (Map.Entry<String, String> p : new ArrayList<>(pendingOperator.entrySet())) {
      operator.send(FrameClient.operatorMessage(chatId, p.getValue(), p.getKey()));
      awaitAck(false, p.getKey(), p.getValue());
    }
    reopenConsole(); // closing the old console adds a system message for the guest, after a moment
    sleep(500);
    resumeGuest(0);
    drain();
    assertThat(conflicts).as("messages shown, stored or acknowledged inconsistently").isEmpty();
    assertThat(pendingGuest).isEmpty();
    assertThat(pendingOperator).isEmpty();

    JsonArray messages = nodes.get(0).chat(chatId, aliceToken).getJsonArray("messages");
    Map<Integer, String> transcript = new TreeMap<>();
    Map<String, Integer> stored = new HashMap<>();
    for (Object m : messages) {
      JsonObject message = (JsonObject) m;
      transcript.put(message.getInteger("seq"), message.getString("text"));
      if (!"system".equals(message.getString("from"))) {
        Integer twice = stored.put(message.getString("text"), message.getInteger("seq"));
        assertThat(twice).as("\"%s\" stored twice", message.getString("text")).isNull();
      }
    }
    assertThat(transcript.keySet()).as("seqs without a gap").containsExactlyElementsOf(
        java.util.stream.IntStream.rangeClosed(1, transcript.size()).boxed().toList());
    assertThat(acked).as("acknowledged messages").hasSize(sent);
    assertThat(stored).as("every message stored once, under the seq its ack named").isEqualTo(acked);
    assertThat(guestView).as("what the guest was shown").isEqualTo(transcript);
    // the console hears of system messages (e.g. its own lost connection) only with the history
    assertThat(spoken(operatorView)).as("what the console was shown").isEqualTo(spoken(transcript));
  }

  void close() {
    guest.close();
    operator.close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
