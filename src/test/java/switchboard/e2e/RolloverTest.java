package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.QUIET;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Routing along the rollover chain ill → general (DESIGN §2): widening, waiting, skipping, capacity, positions. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RolloverTest {

  private static Predicate<JsonObject> chat(String chatId) {
    return f -> chatId.equals(f.getString("chatId"));
  }

  @Test
  void unansweredOfferWidensToTheBackupQueueAndIsRecordedOnTheAskedQueue(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).rolloverAfterSeconds(1).start();
    FrameClient carol = FrameClient.operator(node, "carol"); // ill only
    FrameClient dave = FrameClient.operator(node, "dave");   // general only
    carol.available("ill", true);
    dave.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Robin").getString("chatId");

    JsonObject carolsOffer = carol.offerFor(chatId);
    assertThat(carolsOffer.getString("queue")).isEqualTo("ill");
    assertThat(carolsOffer.getString("offeredOn")).isEqualTo("ill");
    // ill is available, so general's operators are not rung at first.
    dave.expectNone("offer", chat(chatId), QUIET);

    // After rolloverAfterSeconds the offer widens to general...
    JsonObject davesOffer = dave.offerFor(chatId);
    assertThat(davesOffer.getString("queue")).isEqualTo("ill");
    assertThat(davesOffer.getString("offeredOn")).isEqualTo("general");
    assertThat(davesOffer.getJsonObject("guest").getString("name")).isEqualTo("Robin");
    // ...and carol still sees hers.
    assertThat(carol.pending("offer_withdrawn", chat(chatId))).as("carol's offer withdrawn at widening").isEmpty();

    JsonObject accepted = dave.accept(chatId);
    assertThat(accepted.getString("chatId")).isEqualTo(chatId);
    assertThat(carol.next("offer_withdrawn", chat(chatId), TestNode.TIMEOUT).getString("reason")).isEqualTo("accepted");
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Dave");

    JsonObject record = node.chat(chatId, node.login("dave"));
    assertThat(record.getString("state")).isEqualTo("active");
    assertThat(record.getString("queue")).isEqualTo("ill");
    assertThat(record.getString("recordedQueue")).isEqualTo("ill");
    assertThat(record.getString("answeredQueue")).isEqualTo("general");
  }

  @Test
  void chatWaitsWhileNobodyIsAvailableThenRingsTheFirstOperatorToComeIn(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice"); // signed in, not available

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Kim").getString("chatId");
    JsonObject queued = guest.next("queued");
    assertThat(queued.getInteger("position")).isEqualTo(1);
    alice.expectNone("offer", QUIET);

    alice.available("ill", true);
    JsonObject offer = alice.offerFor(chatId);
    assertThat(offer.getString("queue")).isEqualTo("ill");
    assertThat(offer.getString("offeredOn")).isEqualTo("ill");
    alice.accept(chatId);
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Alice");
  }

  @Test
  void operatorComingInWhileAChatRingsIsOfferedItToo(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient carol = FrameClient.operator(node, "carol");
    FrameClient alice = FrameClient.operator(node, "alice");
    carol.available("ill", true);
    node.awaitPresence("ill", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Sky").getString("chatId");
    carol.offerFor(chatId);
    assertThat(alice.pending("offer", chat(chatId))).isEmpty();

    alice.available("ill", true);
    assertThat(alice.offerFor(chatId).getString("offeredOn")).isEqualTo("ill");
    alice.accept(chatId);
    assertThat(carol.next("offer_withdrawn", chat(chatId), TestNode.TIMEOUT).getString("reason")).isEqualTo("accepted");
  }

  @Test
  void waitingChatIsOfferedOnABackupQueueWhenOnlyItsOperatorComesIn(Vertx vertx) {
    TestNode node = TestNode.start(vertx); // rollover 60 s: never fires here
    FrameClient bob = FrameClient.operator(node, "bob");

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Ash").getString("chatId");
    guest.next("queued");

    bob.available("general", true);
    JsonObject offer = bob.offerFor(chatId);
    assertThat(offer.getString("queue")).isEqualTo("ill");
    assertThat(offer.getString("offeredOn")).isEqualTo("general");
  }

  @Test
  void chainSkipsAnUnavailableFirstQueue(Vertx vertx) {
    TestNode node = TestNode.start(vertx); // rollover 60 s: an offer within seconds is not the timer
    FrameClient carol = FrameClient.operator(node, "carol"); // ill, stays unavailable
    FrameClient dave = FrameClient.operator(node, "dave");
    dave.available("general", true);
    node.awaitPresence("general", true);
    assertThat(node.presence("ill")).isFalse();

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Jo").getString("chatId");

    JsonObject offer = dave.offerFor(chatId);
    assertThat(offer.getString("queue")).isEqualTo("ill");
    assertThat(offer.getString("offeredOn")).isEqualTo("general");
    carol.expectNone("offer", chat(chatId), QUIET);

    dave.accept(chatId);
    assertThat(guest.next("joined").getString("operator")).isEqualTo("Dave");
    JsonObject record = node.chat(chatId, node.login("dave"));
    assertThat(record.getString("recordedQueue")).isEqualTo("ill");
    assertThat(record.getString("answeredQueue")).isEqualTo("general");
  }

  @Test
  void operatorAtMaxChatsGetsNoOfferUntilOneCloses(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).maxChats("dave", 1).start();
    FrameClient dave = FrameClient.operator(node, "dave");
    dave.available("general", true);
    node.awaitPresence("general", true);

    FrameClient guest1 = FrameClient.guest(node);
    String first = guest1.start("general", "First").getString("chatId");
    dave.offerFor(first);
    dave.accept(first);
    guest1.next("joined");

    FrameClient guest2 = FrameClient.guest(node);
    String second = guest2.start("general", "Second").getString("chatId");
    dave.expectNone("offer", chat(second), Duration.ofSeconds(1));

    dave.send(new JsonObject().put("type", "close").put("chatId", first));
    assertThat(guest1.next("closed").getString("by")).isEqualTo("operator");

    JsonObject offer = dave.offerFor(second);
    assertThat(offer.getString("offeredOn")).isEqualTo("general");
    dave.accept(second);
    assertThat(guest2.next("joined").getString("operator")).isEqualTo("Dave");
  }

  @Test
  void waitingGuestsSeeTheirPlaceInTheQueue(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient first = FrameClient.guest(node);
    String firstChat = first.start("general", "One").getString("chatId");
    assertThat(first.next("queued").getInteger("position")).isEqualTo(1);

    FrameClient second = FrameClient.guest(node);
    second.start("general", "Two");
    assertThat(second.next("queued").getInteger("position")).isEqualTo(2);

    // Once the first chat is answered, the second guest is next.
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    bob.offerFor(firstChat);
    bob.accept(firstChat);
    first.next("joined");
    second.next("queued", f -> Integer.valueOf(1).equals(f.getInteger("position")), TestNode.TIMEOUT);
  }
}
