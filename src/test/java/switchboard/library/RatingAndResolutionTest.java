package switchboard.library;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Issue 16: the guest rates a chat once it has ended (where the queue asks), the operator sets a
 * resolution code at close or afterwards, and both are in the stats and their CSV.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RatingAndResolutionTest {

  @Test
  void ratingsAndResolutionsAreKeptAndCounted(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(30)
        .editConfig(c -> c.getJsonArray("queues").getJsonObject(0).put("rating", true)).start();
    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    node.awaitPresence("ill", true);

    // 1: carol closes with a resolution; the guest rates it
    FrameClient pat = FrameClient.guest(node);
    String first = pat.start("ill", "Pat").getString("chatId");
    carol.offerFor(first);
    carol.accept(first);
    pat.next("joined");
    pat.send(new JsonObject().put("type", "rate").put("rating", 5));
    assertThat(pat.next("error").getString("message")).startsWith("rating: a chat is rated once it has ended");
    carol.send(new JsonObject().put("type", "close").put("chatId", first).put("resolution", "sometimes"));
    assertThat(carol.next("error").getString("message")).startsWith("resolution: one of answered, referred");
    carol.send(new JsonObject().put("type", "close").put("chatId", first).put("resolution", "referred"));
    pat.next("closed");
    pat.send(new JsonObject().put("type", "rate").put("rating", 6));
    assertThat(pat.next("error").getString("message")).contains("from 1 to 5");
    pat.send(new JsonObject().put("type", "rate").put("rating", 4).put("comment", "=1+1 quick, thanks"));
    pat.next("rated");
    pat.send(new JsonObject().put("type", "rate").put("rating", 1));
    assertThat(pat.next("error").getString("message")).isEqualTo("rating: this chat was rated already");

    // 2: the guest leaves first; carol sets the resolution afterwards; bob, who never held it, cannot
    FrameClient sam = FrameClient.guest(node);
    String second = sam.start("ill", "Sam").getString("chatId");
    carol.offerFor(second);
    carol.accept(second);
    sam.send(new JsonObject().put("type", "close"));
    carol.nextFor("closed", second);
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.send(new JsonObject().put("type", "resolve").put("chatId", second).put("resolution", "lost"));
    assertThat(bob.next("error").getString("code")).isEqualTo("forbidden");
    carol.send(new JsonObject().put("type", "resolve").put("chatId", second).put("resolution", "answered"));
    assertThat(carol.nextFor("resolved", second).getString("resolution")).isEqualTo("answered");

    // general does not ask for ratings
    FrameClient kim = FrameClient.guest(node);
    FrameClient dave = FrameClient.operator(node, "dave");
    dave.available("general", true);
    node.awaitPresence("general", true);
    String third = kim.start("general", "Kim").getString("chatId");
    dave.offerFor(third);
    dave.accept(third);
    dave.send(new JsonObject().put("type", "close").put("chatId", third));
    kim.next("closed");
    kim.send(new JsonObject().put("type", "rate").put("rating", 3));
    assertThat(kim.next("error").getString("message")).isEqualTo("rating: this queue does not ask for ratings");

    String admin = node.login("alice");
    JsonObject totals = node.get("/api/v1/stats", admin).json().getJsonObject("totals");
    assertThat(totals.getInteger("rated")).isEqualTo(1);
    assertThat(totals.getDouble("ratingAverage")).isEqualTo(4.0);
    assertThat(totals.getJsonObject("resolutions").getInteger("referred")).isEqualTo(1);
    assertThat(totals.getJsonObject("resolutions").getInteger("answered")).isEqualTo(1);
    assertThat(totals.getJsonObject("resolutions").getInteger("lost")).isZero();

    List<String> summary = node.get("/api/v1/stats.csv", admin).body().lines().toList();
    List<String> header = Arrays.asList(summary.get(0).split(","));
    assertThat(header).contains("rated", "rating_avg", "resolved_answered", "resolved_referred", "resolved_follow_up_home");
    String illRow = summary.stream().filter(l -> l.startsWith("recorded,") && l.contains(",ill,")).findFirst().orElseThrow();
    List<String> ill = Arrays.asList(illRow.split(",", -1));
    assertThat(ill.get(header.indexOf("rated"))).isEqualTo("1");
    assertThat(ill.get(header.indexOf("rating_avg"))).isEqualTo("4.0");
    assertThat(ill.get(header.indexOf("resolved_referred"))).isEqualTo("1");

    String chats = node.get("/api/v1/stats.csv?rows=chats&token=" + admin).body();
    assertThat(chats.lines().findFirst().orElseThrow()).endsWith(",rating,rating_comment,resolution");
    assertThat(chats.lines().filter(l -> l.startsWith(first)).findFirst().orElseThrow())
        .endsWith(",4,\"'=1+1 quick, thanks\",referred").doesNotContain(",=1+1");
  }
}
