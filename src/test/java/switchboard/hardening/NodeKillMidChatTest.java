package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.hardening.ChatSteps.guestSays;
import static switchboard.hardening.ChatSteps.operatorSays;
import static switchboard.hardening.ChatSteps.resendUntilAcked;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * The node holding a guest's socket is killed as a process (SIGKILL) in the middle of a chat,
 * with a guest message still in flight, while the operator's console is on the other node. The
 * guest's page reconnects to the surviving node and resumes from the last seq it has: it gets
 * every message it missed, resends what was not acknowledged, is shown nothing twice, and the
 * chat carries on both ways; the operator keeps the chat throughout. Recovery times are printed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeKillMidChatTest {
  private RedisServer redis;
  private Vertx vertxB;
  private Vertx clients;
  private NodeProcess child;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    if (child != null) {
      child.close();
    }
    for (Vertx v : new Vertx[] {clients, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void aGuestWhoseNodeIsKilledMidChatResumesOnTheSurvivorWithNothingLostOrShownTwice() throws Exception {
    Recovery r = killMidChat(3);
    System.out.printf("node killed mid-chat: the guest's socket closed %d ms after the kill, resumed on the "
        + "survivor with every message %d ms after, first new message through both ways %d ms after; the message "
        + "in flight was %s%n", r.socketClosedMs, r.resumedMs, r.throughMs, r.inFlight);
  }

  /** The long version (-Psoak): the same, repeated, with longer chats before the kill. */
  @RepeatedTest(5)
  @Tag("soak")
  void soakKillMidChat() throws Exception {
    Recovery r = killMidChat(20);
    System.out.printf("soak node kill mid-chat: socket closed %d ms, resumed %d ms, through %d ms after the kill; "
        + "in flight: %s%n", r.socketClosedMs, r.resumedMs, r.throughMs, r.inFlight);
  }

  private record Recovery(long socketClosedMs, long resumedMs, long throughMs, String inFlight) {}

  private Recovery killMidChat(int roundsBefore) throws Exception {
    String prefix = "kill-chat-" + UUID.randomUUID() + ":";
    TestNode.Builder setUp = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients)
        .guestGraceSeconds(60).operatorGraceSeconds(60);
    child = NodeProcess.start(setUp.configJson(), redis.url(), "node-child", "node-kill-mid-chat-child");
    TestNode b = setUp.start();
    String adminToken = b.login("alice");
    Map<String, Integer> acked = new LinkedHashMap<>();

    FrameClient bob = FrameClient.operator(b, "bob");
    bob.available("general", true);
    bob.next("availability");
    b.awaitPresence("general", true);
    FrameClient guest = FrameClient.connect(clients.createWebSocketClient(), child.port(), "/ws/guest", "guest@child");
    JsonObject started = guest.start("general", "Pat");
    String chatId = started.getString("chatId");
    bob.offerFor(chatId);
    bob.accept(chatId);
    guest.next("joined");
    for (int i = 1; i <= roundsBefore; i++) {
      guestSays(guest, bob, "guest line " + i, acked);
      operatorSays(bob, guest, chatId, "operator line " + i, acked);
    }

    // a message leaves the page, and its node dies before (or just after) it answers
    JsonObject inFlight = FrameClient.guestMessage("guest line in flight", "g-in-flight");
    guest.send(inFlight);
    child.kill();
    long killedAt = System.nanoTime();
    guest.awaitClose(Duration.ofSeconds(10));
    long closedAt = System.nanoTime();
    // meanwhile the operator, on the survivor, answers
    acked.put("operator line while the guest is away",
        bob.say(chatId, "operator line while the guest is away").getInteger("seq"));

    // the page reconnects to the survivor and resumes after the last seq it has without a gap
    JsonObject oldAck = guest.received().stream().filter(f -> "ack".equals(f.getString("type"))
        && "g-in-flight".equals(f.getString("clientId"))).findFirst().orElse(null);
    if (oldAck != null) { // the dead node answered in time
      acked.put("guest line in flight", oldAck.getInteger("seq"));
    }
    Shown before = new Shown("guest").guestSocket(guest.received());
    acked.forEach((text, seq) -> {
      if (text.startsWith("guest")) {
        before.own(seq, text);
      }
    });
    int lastSeq = lastContiguous(before.view(t -> true));
    FrameClient again = FrameClient.guest(b);
    again.send(new JsonObject().put("type", "resume").put("chatId", chatId).put("token", started.getString("token"))
        .put("lastSeq", lastSeq));
    JsonObject resumed = again.next("resumed", Duration.ofSeconds(10));
    long resumedAt = System.nanoTime();
    assertThat(resumed.getString("state")).isEqualTo("active");
    assertThat(resumed.getString("operator")).isEqualTo("Bob");
    // what the dead node did not acknowledge is sent again, with the same clientId
    if (oldAck == null) {
      acked.put("guest line in flight", resendUntilAcked(again, inFlight, "g-in-flight"));
    }
    bob.next("message", m -> "guest line in flight".equals(m.getString("text")), Duration.ofSeconds(10));

    // the chat carries on both ways
    guestSays(again, bob, "guest line after the kill", acked);
    operatorSays(bob, again, chatId, "operator line after the kill", acked);
    long throughAt = System.nanoTime();

    // the operator kept the chat: no withdrawal, no close, still the holder
    assertThat(bob.received()).as("bob's frames about the chat")
        .noneMatch(f -> chatId.equals(f.getString("chatId"))
            && List.of("offer_withdrawn", "closed", "error").contains(f.getString("type")));
    bob.assertOpen();
    JsonObject record = b.chat(chatId, adminToken);
    assertThat(record.getString("state")).isEqualTo("active");
    assertThat(record.getString("operator")).isEqualTo("bob");

    Map<Integer, String> stored = Shown.stored(record.getJsonArray("messages"));
    acked.forEach((text, seq) -> assertThat(stored.get(seq)).as("acknowledged message %d", seq).isEqualTo(text));
    assertThat(stored.values().stream().filter(t -> !acked.containsKey(t)))
        .as("stored messages nobody sent or acknowledged").isEmpty();
    Shown guestSaw = new Shown("guest").guestSocket(guest.received()).guestSocket(again.received());
    Shown bobSaw = new Shown("operator").consoleSocket(bob.received(), chatId);
    acked.forEach((text, seq) -> (text.startsWith("guest") ? guestSaw : bobSaw).own(seq, text));
    guestSaw.assertConsistent();
    bobSaw.assertConsistent();
    assertThat(guestSaw.view(t -> true)).as("what the guest was shown").isEqualTo(stored);
    assertThat(bobSaw.view(t -> true)).as("what bob was shown").isEqualTo(stored);

    again.close();
    bob.close();
    return new Recovery((closedAt - killedAt) / 1_000_000, (resumedAt - killedAt) / 1_000_000,
        (throughAt - killedAt) / 1_000_000, oldAck != null ? "acknowledged by the dead node"
            : "resent to the survivor");
  }

  private static int lastContiguous(Map<Integer, String> view) {
    int n = 0;
    while (view.containsKey(n + 1)) {
      n++;
    }
    return n;
  }

}
