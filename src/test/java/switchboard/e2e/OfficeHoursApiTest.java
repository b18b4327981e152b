package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Outside its office hours a queue is unavailable whatever its operators do, and says when it opens. */
@ExtendWith(VertxExtension.class)
class OfficeHoursApiTest {

  /** Open one hour tomorrow only, so closed now whatever the time of the run. */
  private static JsonObject closedAllWeekButTomorrow() {
    String[] days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    java.time.DayOfWeek tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).getDayOfWeek();
    return new JsonObject().put("timeZone", "UTC")
        .put("weekly", new JsonObject().put(days[tomorrow.getValue() - 1], new JsonArray().add("10:00-11:00")));
  }

  @Test
  void aClosedQueueIsUnavailableAndRollsStraightToItsBackup(Vertx vertx) {
    TestNode node = TestNode.builder(vertx)
        .editConfig(c -> c.getJsonArray("queues").getJsonObject(0).put("hours", closedAllWeekButTomorrow()))
        .start();
    FrameClient carol = FrameClient.operator(node, "carol"); // ill only
    carol.available("ill", true);
    FrameClient bob = FrameClient.operator(node, "bob"); // general
    bob.available("general", true);
    node.awaitPresence("general", true);

    JsonObject presence = node.get("/api/v1/presence/ill").json();
    assertThat(presence.getBoolean("available")).isFalse();
    assertThat(presence.getBoolean("chainAvailable")).isTrue();
    Instant opens = Instant.parse(presence.getString("nextOpening"));
    assertThat(opens).isAfter(Instant.now());
    assertThat(opens.atZone(java.time.ZoneOffset.UTC).getHour()).isEqualTo(10);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    assertThat(bob.offerFor(chatId).getString("offeredOn")).isEqualTo("general");
    carol.expectNone("offer", forChat(chatId), FrameClient.QUIET);
  }
}
