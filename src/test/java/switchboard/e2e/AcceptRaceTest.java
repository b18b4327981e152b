package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two operators accept the same chat at the same moment: exactly one gets it, every time. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptRaceTest {
  static final int ROUNDS = 200;

  private final ExecutorService senders = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopSenders() {
    senders.shutdownNow();
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void getQuietly(Future<?> f) {
    try {
      f.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("sending accept failed", e);
    }
  }

  @Test
  void exactlyOneOperatorWinsEachRace(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice");
    FrameClient carol = FrameClient.operator(node, "carol");
    alice.available("ill", true);
    carol.available("ill", true);
    node.awaitPresence("ill", true);

    int aliceWins = 0;
    int carolWins = 0;
    for (int round = 0; round < ROUNDS; round++) {
      alice.discardUnread();
      carol.discardUnread();
      FrameClient guest = FrameClient.guest(node);
      String chatId = guest.start("ill", "Racer " + round).getString("chatId");
      alice.offerFor(chatId);
      carol.offerFor(chatId);

      JsonObject accept = new JsonObject().put("type", "accept").put("chatId", chatId);
      // Both accepts leave at the same instant, from two threads released together.
      CountDownLatch go = new CountDownLatch(1);
      Future<?> a1 = senders.submit(() -> { awaitLatch(go); alice.send(accept); });
      Future<?> c1 = senders.submit(() -> { awaitLatch(go); carol.send(accept); });
      go.countDown();
      getQuietly(a1);
      getQuietly(c1);

      Predicate<JsonObject> outcome = f ->
          ("accepted".equals(f.getString("type")) && chatId.equals(f.getString("chatId")))
              || "error".equals(f.getString("type"));
      JsonObject a = alice.nextMatching(outcome, TestNode.TIMEOUT, "accepted or error for " + chatId);
      JsonObject c = carol.nextMatching(outcome, TestNode.TIMEOUT, "accepted or error for " + chatId);

      boolean aliceWon = "accepted".equals(a.getString("type"));
      boolean carolWon = "accepted".equals(c.getString("type"));
      assertThat(aliceWon ^ carolWon)
          .as("round %d: exactly one accepted; alice got %s, carol got %s", round, a.encode(), c.encode())
          .isTrue();
      JsonObject loss = aliceWon ? c : a;
      assertThat(loss.getString("code")).as("round %d: loser's error %s", round, loss.encode()).isEqualTo("already_taken");

      FrameClient winner = aliceWon ? alice : carol;
      FrameClient loser = aliceWon ? carol : alice;
      assertThat(loser.nextFor("offer_withdrawn", chatId).getString("reason")).isEqualTo("accepted");
      assertThat(guest.next("joined").getString("operator")).isEqualTo(aliceWon ? "Alice" : "Carol");
      if (aliceWon) {
        aliceWins++;
      } else {
        carolWins++;
      }

      // End the chat so the winner stays below maxChats, then let the guest go.
      winner.send(new JsonObject().put("type", "close").put("chatId", chatId));
      assertThat(guest.next("closed").getString("by")).isEqualTo("operator");
      assertThat(guest.pending("joined", f -> true)).as("round %d: a second 'joined'", round).isEmpty();
      guest.drop();
    }
    assertThat(aliceWins + carolWins).isEqualTo(ROUNDS);
    System.out.printf("accept races: alice won %d, carol won %d%n", aliceWins, carolWins);
  }
}
