package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What pages without the widget use: presence as a script and as a badge image, answers
 * any origin may read (CORS, preflight included), and the leave-a-message endpoint with
 * its inbox.
 */
@ExtendWith(VertxExtension.class)
class PresenceAndOfflineApiTest {
  private static final String LIBRARY_SITE = "https://library.example.edu";

  @Test
  void presenceAsAScriptSetsAGlobalOrCallsACallback(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    TestNode.Http asVar = node.get("/api/v1/presence/ill?format=js&var=illChat");
    assertThat(asVar.status()).isEqualTo(200);
    assertThat(asVar.header("Content-Type").orElse("")).startsWith("application/javascript");
    assertThat(asVar.body()).startsWith("window.illChat = {").contains("\"available\":false");

    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    TestNode.Http asCallback = node.get("/api/v1/presence/ill?format=js&callback=sb.onPresence");
    assertThat(asCallback.body()).startsWith("sb.onPresence({").contains("\"available\":true").endsWith(");\n");

    TestNode.Http injected = node.get("/api/v1/presence/ill?format=js&callback=alert(1)//");
    assertThat(injected.status()).isEqualTo(400);
    assertThat(injected.json().getString("error")).isEqualTo("bad_request");
    assertThat(injected.body()).doesNotContain("alert(1)(");
  }

  @Test
  void theBadgeShowsWhetherChatIsOpenAcrossTheChain(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    TestNode.Http closed = node.get("/api/v1/presence/ill/badge.svg");
    assertThat(closed.status()).isEqualTo(200);
    assertThat(closed.header("Content-Type").orElse("")).startsWith("image/svg+xml");
    assertThat(closed.body()).startsWith("<svg").contains("Interlibrary Loan").contains("chat closed");

    // nobody on ill, but its backup general is staffed: a chat on ill would be answered
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    node.awaitPresence("general", true);
    TestNode.waitUntil(() -> node.get("/api/v1/presence/ill/badge.svg").body().contains("chat open"),
        TestNode.TIMEOUT, "the ill badge to say open");
    JsonObject json = node.get("/api/v1/presence/ill").json();
    assertThat(json.getBoolean("available")).isFalse();
    assertThat(json.getBoolean("chainAvailable")).isTrue();

    assertThat(node.get("/api/v1/presence/nope/badge.svg").status()).isEqualTo(404);
  }

  @Test
  void publicAnswersAreReadableFromAnyOriginIncludingPreflight(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx);
    Map<String, String> fromLibrary = Map.of("Origin", LIBRARY_SITE);
    for (String path : new String[] {"/api/v1/presence/ill", "/api/v1/presence?queues=ill,general",
        "/api/v1/queues", "/api/v1/presence/nope"}) {
      TestNode.Http answer = node.get(path, null, fromLibrary);
      assertThat(answer.header("Access-Control-Allow-Origin")).as(path).isPresent();
    }

    HttpResponse<String> preflight = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(node.uri("/api/v1/offline"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", LIBRARY_SITE)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isBetween(200, 204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isPresent();
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
  }

  @Test
  void aLeftMessageIsStoredAndOperatorsOfItsQueueSeeAndCloseIt(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    JsonObject form = new JsonObject().put("queue", "ill").put("name", "Pat <img src=x onerror=alert(1)>")
        .put("email", "pat@example.org").put("question", "Can I borrow a thesis from another library?")
        .put("page", LIBRARY_SITE + "/ill");
    TestNode.Http left = node.post("/api/v1/offline", form, null);
    assertThat(left.status()).as("%s", left).isEqualTo(201);
    String id = left.json().getString("id");

    JsonObject inboxOfCarol = node.get("/api/v1/offline", node.login("carol")).json(); // staffs ill
    assertThat(inboxOfCarol.getJsonArray("messages")).hasSize(1);
    JsonObject stored = inboxOfCarol.getJsonArray("messages").getJsonObject(0);
    assertThat(stored.getString("id")).isEqualTo(id);
    assertThat(stored.getString("name")).isEqualTo("Pat <img src=x onerror=alert(1)>");
    assertThat(stored.getString("question")).isEqualTo("Can I borrow a thesis from another library?");
    assertThat(stored.getBoolean("done")).isFalse();

    String bob = node.login("bob"); // staffs general only
    assertThat(node.get("/api/v1/offline", bob).json().getJsonArray("messages")).isEmpty();
    assertThat(node.post("/api/v1/offline/" + id + "/done", new JsonObject(), bob).status()).isEqualTo(404);
    assertThat(node.get("/api/v1/offline").status()).isEqualTo(401);

    TestNode.Http done = node.post("/api/v1/offline/" + id + "/done", new JsonObject(), node.login("carol"));
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.json().getBoolean("done")).isTrue();
    assertThat(done.json().getString("doneBy")).isEqualTo("carol");
  }

  @Test
  void aBadLeftMessageIsRefusedWithTheFieldNamed(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    JsonObject good = new JsonObject().put("queue", "ill").put("name", "Pat").put("email", "pat@example.org")
        .put("question", "Hello?");
    TestNode.Http noEmail = node.post("/api/v1/offline", good.copy().put("email", "not an address"), null);
    assertThat(noEmail.status()).isEqualTo(400);
    assertThat(noEmail.json().getString("message")).startsWith("email");
    TestNode.Http noQuestion = node.post("/api/v1/offline", good.copy().putNull("question"), null);
    assertThat(noQuestion.status()).isEqualTo(400);
    assertThat(noQuestion.json().getString("message")).startsWith("question");
    TestNode.Http unknownQueue = node.post("/api/v1/offline", good.copy().put("queue", "nope"), null);
    assertThat(unknownQueue.status()).isEqualTo(404);
    assertThat(unknownQueue.json().getString("error")).isEqualTo("unknown_queue");
    TestNode.Http tooLong = node.post("/api/v1/offline", good.copy().put("question", "x".repeat(5000)), null);
    assertThat(tooLong.status()).isEqualTo(413);
    TestNode.Http notJson = node.post("/api/v1/offline", null, null);
    assertThat(notJson.status()).isEqualTo(400);

    // a person leaves a few; a script leaving many is slowed down (counted per client: here the
    // node is behind a proxy on its own host that names the client; a local client is not counted)
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 8; i++) {
      int status = node.post("/api/v1/offline", good, null, java.util.Map.of("X-Forwarded-For", "192.0.2.80")).status();
      if (status == 201) {
        accepted++;
      } else if (status == 429) {
        refused++;
      }
    }
    assertThat(accepted).isEqualTo(5);
    assertThat(refused).isEqualTo(3);
  }
}
