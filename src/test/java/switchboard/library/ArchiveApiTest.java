package switchboard.library;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Issue 16, the transcript archive: staff search ended chats by queue, operator, rating,
 * resolution and words, open one, and export what they found; operators see the chats they held.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ArchiveApiTest {

  /** A chat asked on {@code queue}, answered by {@code op}, with the guest's words, closed with a resolution. */
  private static String chat(TestNode node, FrameClient op, String queue, String guestWords, String resolution) {
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start(queue, "Pat").getString("chatId");
    guest.say(guestWords);
    op.offerFor(chatId);
    op.accept(chatId);
    guest.next("joined");
    op.send(new JsonObject().put("type", "close").put("chatId", chatId).put("resolution", resolution));
    guest.next("closed");
    return chatId;
  }

  private static List<String> ids(TestNode.Http answer) {
    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    return answer.json().getJsonArray("chats").stream().map(c -> ((JsonObject) c).getString("id")).toList();
  }

  @Test
  void staffFindEndedChatsAndOperatorsOnlyTheirOwn(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).guestGraceSeconds(30).start();
    FrameClient carol = FrameClient.operator(node, "carol");
    FrameClient bob = FrameClient.operator(node, "bob");
    carol.available("ill", true);
    bob.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);
    String renewal = chat(node, carol, "ill", "Can I renew my interlibrary loan?", "answered");
    String maps = chat(node, bob, "general", "Where are the old maps kept?", "referred");

    String admin = node.login("alice");
    TestNode.waitUntil(() -> ids(node.get("/api/v1/archive", admin)).size() == 2, Duration.ofSeconds(5),
        "both chats in the archive");
    assertThat(ids(node.get("/api/v1/archive", admin))).containsExactly(maps, renewal);
    assertThat(ids(node.get("/api/v1/archive?q=renewing%20LOAN", admin))).as("words, any case").isEmpty();
    assertThat(ids(node.get("/api/v1/archive?q=renew%20LOAN", admin))).containsExactly(renewal);
    assertThat(ids(node.get("/api/v1/archive?resolution=referred", admin))).containsExactly(maps);
    assertThat(ids(node.get("/api/v1/archive?operator=carol", admin))).containsExactly(renewal);
    assertThat(ids(node.get("/api/v1/archive?queue=general", admin))).containsExactly(maps);
    assertThat(ids(node.get("/api/v1/archive?from=2020-01-01&to=2020-02-01", admin))).isEmpty();
    JsonObject first = node.get("/api/v1/archive?limit=1", admin).json();
    assertThat(first.getInteger("total")).isEqualTo(2);
    JsonObject row = first.getJsonArray("chats").getJsonObject(0);
    assertThat(row.getString("operatorName")).isEqualTo("Bob");
    assertThat(row.getString("resolution")).isEqualTo("referred");
    assertThat(row.getString("guest")).isEqualTo("Pat");

    // an operator sees the chats they held, and opens one
    String carols = node.login("carol");
    assertThat(ids(node.get("/api/v1/archive", carols))).containsExactly(renewal);
    assertThat(node.get("/api/v1/archive?operator=bob", carols).status()).isEqualTo(403);
    JsonArray messages = node.chat(renewal, carols).getJsonArray("messages");
    assertThat(messages.getJsonObject(0).getString("text")).isEqualTo("Can I renew my interlibrary loan?");

    // the export, as a link
    TestNode.Http csv = node.get("/api/v1/archive.csv?q=maps&token=" + admin);
    assertThat(csv.header("Content-Type").orElse("")).startsWith("text/csv");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).startsWith("chat,created_at,ended_at,state,recorded_queue");
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith(maps).contains(",referred");

    assertThat(node.get("/api/v1/archive").status()).isEqualTo(401);
    assertThat(node.get("/api/v1/archive?rating=9", admin).json().getString("message")).startsWith("rating:");
    assertThat(node.get("/api/v1/archive?resolution=done", admin).json().getString("message")).startsWith("resolution:");
    assertThat(node.get("/api/v1/archive?queue=nope", admin).status()).isEqualTo(404);
  }
}
