package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Stats an admin can trust: the recorded queue and the answering queue, from per-chat records. */
@ExtendWith(VertxExtension.class)
class StatsApiTest {

  private static JsonObject queueRow(JsonArray rows, String queue) {
    return rows.stream().map(r -> (JsonObject) r).filter(r -> queue.equals(r.getString("queue"))).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + queue + " in " + rows.encode()));
  }

  @Test
  void chatsCountOnTheAskedQueueAndOnTheQueueThatAnswered(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).rolloverAfterSeconds(1).guestGraceSeconds(30).start();
    FrameClient carol = FrameClient.operator(node, "carol"); // ill
    FrameClient dave = FrameClient.operator(node, "dave"); // general
    carol.available("ill", true);
    dave.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    // 1: asked on ill, nobody on ill answers, rolls over to general and dave answers
    FrameClient first = FrameClient.guest(node);
    String rolled = first.start("ill", "=HYPERLINK(\"http://evil.example\",\"click\")").getString("chatId");
    dave.offerFor(rolled);
    dave.accept(rolled);
    first.next("joined");
    dave.send(new JsonObject().put("type", "close").put("chatId", rolled));
    first.next("closed");
    // 2: asked on ill, the guest leaves while it rings: missed
    FrameClient second = FrameClient.guest(node);
    String missed = second.start("ill", "Sam").getString("chatId");
    carol.offerFor(missed);
    second.send(new JsonObject().put("type", "close"));
    second.next("closed");
    // 3: a question left offline on ill
    assertThat(node.post("/api/v1/offline", new JsonObject().put("queue", "ill").put("email", "q@example.org")
        .put("question", "Hours?"), null).status()).isEqualTo(201);

    String admin = node.login("alice");
    JsonObject stats = node.get("/api/v1/stats", admin).json();
    JsonObject totals = stats.getJsonObject("totals");
    assertThat(totals.getInteger("asked")).isEqualTo(2);
    assertThat(totals.getInteger("answered")).isEqualTo(1);
    assertThat(totals.getInteger("missed")).isEqualTo(1);
    assertThat(totals.getInteger("abandoned")).isZero();
    assertThat(totals.getInteger("offline")).isEqualTo(1);
    assertThat(totals.getInteger("rolledOver")).isEqualTo(1);
    assertThat(totals.getJsonObject("rolloverDepth").getInteger("1")).isEqualTo(1);
    assertThat(totals.getLong("waitMedianSeconds")).isNotNull();

    JsonObject ill = queueRow(stats.getJsonArray("byRecordedQueue"), "ill").getJsonObject("metrics");
    assertThat(ill.getInteger("asked")).isEqualTo(2);
    assertThat(ill.getInteger("answered")).isEqualTo(1);
    JsonObject general = queueRow(stats.getJsonArray("byAnsweredQueue"), "general").getJsonObject("metrics");
    assertThat(general.getInteger("answered")).isEqualTo(1);
    assertThat(stats.getJsonArray("byAnsweredQueue")).hasSize(1);
    JsonObject byDave = stats.getJsonArray("byOperator").getJsonObject(0);
    assertThat(byDave.getString("operator")).isEqualTo("dave");
    assertThat(byDave.getInteger("answered")).isEqualTo(1);

    JsonObject web = stats.getJsonArray("byChannel").getJsonObject(0);
    assertThat(web.getString("channel")).isEqualTo("web");
    assertThat(web.getJsonObject("metrics").getInteger("asked")).isEqualTo(2);

    assertThat(node.get("/api/v1/stats?queue=general", admin).json().getJsonObject("totals").getInteger("asked"))
        .as("filtered on the recorded queue").isZero();

    TestNode.Http csv = node.get("/api/v1/stats.csv?rows=chats&token=" + admin);
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.header("Content-Type").orElse("")).startsWith("text/csv");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).startsWith("chat,created_at,recorded_queue");
    assertThat(csv.body()).contains("'=HYPERLINK(").doesNotContain(",=HYPERLINK");
    TestNode.Http summary = node.get("/api/v1/stats.csv", admin);
    assertThat(summary.body().lines().toList().get(0)).startsWith("kind,period,queue");
    assertThat(summary.body()).contains("recorded,").contains(",ill,").contains("answered,,general");
  }

  @Test
  void statsAreForAdminsAndBadParametersAreNamed(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    assertThat(node.get("/api/v1/stats").status()).isEqualTo(401);
    assertThat(node.get("/api/v1/stats", node.login("bob")).status()).isEqualTo(403);
    assertThat(node.get("/api/v1/stats.csv?token=" + node.login("bob")).status()).isEqualTo(403);
    String admin = node.login("alice");
    TestNode.Http badDate = node.get("/api/v1/stats?from=yesterday", admin);
    assertThat(badDate.status()).isEqualTo(400);
    assertThat(badDate.json().getString("message")).startsWith("from:");
    assertThat(node.get("/api/v1/stats?queue=nope", admin).status()).isEqualTo(404);
    assertThat(node.get("/api/v1/stats?groupBy=week", admin).json().getString("message")).startsWith("groupBy");
    JsonObject empty = node.get("/api/v1/stats?from=2026-01-01&to=2026-01-02&groupBy=hour", admin).json();
    assertThat(empty.getJsonObject("totals").getInteger("asked")).isZero();
    assertThat(empty.getJsonObject("totals").getValue("waitMedianSeconds")).isNull();
  }
}
