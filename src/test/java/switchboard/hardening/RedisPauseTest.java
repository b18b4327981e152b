package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.hardening.ChatSteps.guestSays;
import static switchboard.hardening.ChatSteps.operatorSays;
import static switchboard.hardening.ChatSteps.resendUntilAcked;
import static switchboard.hardening.ChatSteps.sleep;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
import switchboard.store.RedisStateStore;

/**
 * Redis frozen (SIGSTOP, then SIGCONT) for longer than the presence expiry, mid-chat and with a
 * rollover falling due during the freeze, under two nodes. Unlike a crash, a frozen Redis keeps
 * its connections and the commands sent to it: when it runs again it executes everything that
 * queued up, long after the nodes gave up waiting for the answers. Afterwards, without anyone
 * doing anything: both nodes ready, no acknowledged message lost, none shown or stored twice,
 * the overdue rollover fired, operators who stayed connected available again, and the logs say
 * WARN (not ERROR) for what failed because the store was away. Recovery times are printed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisPauseTest {
  private static final int ROLLOVER_SECONDS = 4;
  /** Longer than the presence expiry: every presence key has expired when Redis runs again. */
  private static final Duration PAUSE = RedisStateStore.PRESENCE_TTL.plusSeconds(2);
  private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(30);

  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private TestNode a;
  private TestNode b;
  private boolean paused;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    String prefix = "pause-" + UUID.randomUUID() + ":";
    a = node(vertxA, "node-a", prefix);
    b = node(vertxB, "node-b", prefix);
  }

  private TestNode node(Vertx vertx, String id, String prefix) {
    return TestNode.builder(vertx).redis(redis.url(), prefix).nodeId(id).clientVertx(clients)
        .rolloverAfterSeconds(ROLLOVER_SECONDS).guestGraceSeconds(60).operatorGraceSeconds(60).start();
  }

  @AfterEach
  void stop() {
    if (paused) {
      redis.resume(); // a failed test must not leave the nodes' clients waiting on a frozen server
    }
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  @Test
  void aRedisFrozenLongerThanThePresenceExpiryLosesNothingAndRecoversByItself() {
    Recovery r = pauseMidChat(PAUSE, false);
    System.out.printf("Redis paused %d s (presence expiry %d s): both nodes ready %d ms after SIGCONT, first "
        + "message through %d ms after, overdue rollover fired %d ms after (it was due %d ms before SIGCONT)%n",
        PAUSE.toSeconds(), RedisStateStore.PRESENCE_TTL.toSeconds(), r.readyMs, r.firstMessageMs, r.rolloverMs,
        r.rolloverOverdueMs);
  }

  /** The long version (-Psoak): a 45 s freeze while both sides keep resending, as the pages do, three times. */
  @RepeatedTest(3)
  @Tag("soak")
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void soakALongFreezeWhileBothSidesKeepResending() {
    Recovery r = pauseMidChat(Duration.ofSeconds(45), true);
    System.out.printf("Redis paused 45 s, both sides resending meanwhile: ready %d ms after SIGCONT, first message "
        + "through %d ms after, overdue rollover fired %d ms after%n", r.readyMs, r.firstMessageMs, r.rolloverMs);
  }

  private record Recovery(long readyMs, long firstMessageMs, long rolloverMs, long rolloverOverdueMs) {}

  private Recovery pauseMidChat(Duration pause, boolean resendDuringPause) {
    try (LogCapture logs = LogCapture.capture()) {
      String adminToken = a.login("alice");
      Map<String, Integer> acked = new LinkedHashMap<>();

      // chat 1, mid-chat: the guest on node A, bob answering on node B
      FrameClient bob = FrameClient.operator(b, "bob");
      bob.available("general", true);
      bob.next("availability");
      a.awaitPresence("general", true);
      FrameClient guest = FrameClient.guest(a);
      String chat1 = guest.start("general", "Pat").getString("chatId");
      bob.offerFor(chat1);
      bob.accept(chat1);
      guest.next("joined");
      guestSays(guest, bob, "guest: before the pause", acked);
      operatorSays(bob, guest, chat1, "bob: before the pause", acked);

      // chat 2 rings for carol (ill, console on node A) and is due to widen to general (dave, node B) mid-pause
      FrameClient carol = FrameClient.operator(a, "carol");
      carol.available("ill", true);
      carol.next("availability");
      FrameClient dave = FrameClient.operator(b, "dave");
      dave.available("general", true);
      dave.next("availability");
      b.awaitPresence("ill", true);
      FrameClient alice = FrameClient.operator(b, "alice", adminToken); // her console closes during the pause
      FrameClient guest2 = FrameClient.guest(b);
      String chat2 = guest2.start("ill", "Quinn").getString("chatId");
      assertThat(carol.offerFor(chat2).getString("offeredOn")).isEqualTo("ill");
      long offeredAt = System.nanoTime();

      redis.pause();
      paused = true;
      long pausedAt = System.nanoTime();
      // what each side sends meanwhile is refused `unavailable`, not lost in silence; the sockets stay open
      JsonObject fromGuest = FrameClient.guestMessage("guest: during the pause", "g-during");
      JsonObject fromBob = FrameClient.operatorMessage(chat1, "bob: during the pause", "b-during");
      guest.send(fromGuest);
      assertThat(guest.next("error", Duration.ofSeconds(10)).getString("code")).isEqualTo("unavailable");
      bob.send(fromBob);
      assertThat(bob.next("error", Duration.ofSeconds(10)).getString("code")).isEqualTo("unavailable");
      alice.drop();
      for (TestNode node : List.of(a, b)) {
        TestNode.waitUntil(() -> node.get("/health/ready").status() == 503, Duration.ofSeconds(10),
            node.nodeId() + " not ready while Redis is frozen");
      }
      while (System.nanoTime() - pausedAt < pause.toNanos()) {
        if (resendDuringPause) { // as the widget and the console do on `unavailable`
          guest.send(fromGuest);
          bob.send(fromBob);
        }
        sleep(1_000);
      }
      for (FrameClient c : List.of(guest, guest2, bob, carol, dave)) {
        c.assertOpen();
      }
      guest.discardUnread(); // the refusals of the pause: read, as a page reads them (received() keeps them)
      bob.discardUnread();

      redis.resume();
      paused = false;
      long contAt = System.nanoTime();
      CompletableFuture<Long> ready = CompletableFuture.supplyAsync(() -> {
        for (TestNode node : List.of(a, b)) {
          TestNode.waitUntil(() -> node.get("/health/ready").status() == 200, RECOVERY_DEADLINE,
              node.nodeId() + " ready again after SIGCONT");
        }
        return System.nanoTime();
      });
      CompletableFuture<JsonObject> rollover = CompletableFuture.supplyAsync(() -> dave.offerFor(chat2,
          RECOVERY_DEADLINE));
      CompletableFuture<Long> rolloverAt = rollover.thenApply(offer -> System.nanoTime());

      // the pages resend what was refused, with the same clientId, until it is acknowledged
      acked.put("guest: during the pause", resendUntilAcked(guest, fromGuest, "g-during"));
      long firstThroughAt = System.nanoTime();
      acked.put("bob: during the pause", resendUntilAcked(bob, fromBob, "b-during"));
      // ... and the other side is shown it
      bob.next("message", m -> "guest: during the pause".equals(m.getString("text")), Duration.ofSeconds(10));
      guest.next("message", m -> "bob: during the pause".equals(m.getString("text")), Duration.ofSeconds(10));

      // the rollover that fell due during the pause fired
      assertThat(rollover.join().getString("offeredOn")).isEqualTo("general");
      long readyAt = ready.join();
      // operators who stayed connected are available again: bob is offered chat 2 too, carol a new chat
      bob.offerFor(chat2, RECOVERY_DEADLINE);
      for (TestNode node : List.of(a, b)) {
        TestNode.waitUntil(() -> node.presence("ill") && node.presence("general"), RECOVERY_DEADLINE,
            "ill and general available again on " + node.nodeId());
      }
      FrameClient guest3 = FrameClient.guest(a);
      String chat3 = guest3.start("ill", "Robin").getString("chatId");
      carol.offerFor(chat3, Duration.ofSeconds(10));
      dave.accept(chat2);
      guest2.next("joined");

      // the chat carries on both ways
      guestSays(guest, bob, "guest: after the pause", acked);
      operatorSays(bob, guest, chat1, "bob: after the pause", acked);

      Map<Integer, String> stored = Shown.stored(a.chat(chat1, adminToken).getJsonArray("messages"));
      acked.forEach((text, seq) -> assertThat(stored.get(seq)).as("acknowledged message %d", seq).isEqualTo(text));
      assertThat(stored.values().stream().filter(t -> !acked.containsKey(t)))
          .as("stored messages nobody sent or acknowledged").isEmpty();
      Shown guestSaw = new Shown("guest").guestSocket(guest.received());
      Shown bobSaw = new Shown("operator").consoleSocket(bob.received(), chat1);
      acked.forEach((text, seq) -> (text.startsWith("guest") ? guestSaw : bobSaw).own(seq, text));
      guestSaw.assertConsistent();
      bobSaw.assertConsistent();
      assertThat(guestSaw.view(t -> true)).as("what the guest was shown").isEqualTo(stored);
      assertThat(bobSaw.view(t -> true)).as("what bob was shown").isEqualTo(stored);

      JsonObject record2 = a.chat(chat2, adminToken);
      assertThat(record2.getString("recordedQueue")).isEqualTo("ill");
      assertThat(record2.getString("answeredQueue")).isEqualTo("general");
      for (FrameClient c : List.of(guest, guest2, bob, carol, dave)) {
        c.assertOpen();
      }
      // the store being away is expected: logged as a warning, never as an internal error
      assertThat(logs.errors().stream().filter(l -> l.startsWith("ERROR switchboard."))).as("ERROR lines").isEmpty();
      assertThat(logs.lines()).as("store failures logged as warnings")
          .anyMatch(l -> l.startsWith("WARN switchboard.bus.Replies") && l.contains("presence.disconnected"));

      guest3.close();
      return new Recovery(ms(readyAt - contAt), ms(firstThroughAt - contAt), ms(rolloverAt.join() - contAt),
          ms(contAt - offeredAt) - ROLLOVER_SECONDS * 1000L);
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

}
