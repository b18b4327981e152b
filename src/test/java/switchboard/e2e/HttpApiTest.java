package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP API (DESIGN §4): login and its throttling, queues, the Presence API, chat transcripts. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpApiTest {
  static final Map<String, String> FROM_A_LIBRARY_PAGE = Map.of("Origin", "https://library.example");

  @Test
  void loginReturnsATokenAndTheOperatorWithoutTheirHash(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    TestNode.Http r = node.loginRequest("alice", TestNode.PASSWORD);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    JsonObject body = r.json();
    assertThat(body.getString("token")).isNotBlank();
    JsonObject operator = body.getJsonObject("operator");
    assertThat(operator.getString("id")).isEqualTo("alice");
    assertThat(operator.getString("name")).isEqualTo("Alice");
    assertThat(r.body()).doesNotContain("passwordHash").doesNotContain("pbkdf2");
  }

  @Test
  void badCredentialsAre401(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    TestNode.Http wrong = node.loginRequest("alice", "not-the-password");
    assertThat(wrong.status()).as("%s", wrong).isEqualTo(401);
    assertThat(wrong.json().getString("error")).isEqualTo("unauthorized");
    TestNode.Http nobody = node.loginRequest("mallory", "whatever");
    assertThat(nobody.status()).as("%s", nobody).isEqualTo(401);
    assertThat(nobody.json().getString("error")).isEqualTo("unauthorized");
  }

  @Test
  void fiveFailuresThrottleTheUsername(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    for (int i = 1; i <= 5; i++) {
      TestNode.Http r = node.loginRequest("bob", "guess-" + i);
      assertThat(r.status()).as("failure %d: %s", i, r).isEqualTo(401);
    }
    TestNode.Http sixth = node.loginRequest("bob", TestNode.PASSWORD);
    assertThat(sixth.status()).as("correct password after 5 failures: %s", sixth).isEqualTo(429);
    assertThat(sixth.json().getString("error")).isEqualTo("rate_limited");
    assertThat(node.loginRequest("bob", "guess-6").status()).isEqualTo(429);
    // Another username is not affected.
    assertThat(node.loginRequest("carol", TestNode.PASSWORD).status()).isEqualTo(200);
  }

  @Test
  void aKnownPathAskedWithTheWrongMethodIs405WithAJsonError(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    TestNode.Http r = node.delete("/api/v1/login", null);
    assertThat(r.status()).as("%s", r).isEqualTo(405);
    assertThat(r.json().getString("error")).isEqualTo("bad_request");
    assertThat(r.json().getString("message")).isEqualTo("method not allowed here");
    assertThat(node.put("/health/live", new JsonObject(), null).status()).isEqualTo(405);
    assertThat(node.get("/api/v1/no-such-thing").status()).isEqualTo(404);
  }

  @Test
  void queuesAreListedPublicly(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    TestNode.Http r = node.get("/api/v1/queues");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    JsonArray queues = r.jsonArray();
    assertThat(queues.stream().map(q -> ((JsonObject) q).getString("name"))).containsExactlyInAnyOrder("ill", "general");
    assertThat(queues.stream().map(q -> ((JsonObject) q).getString("title")))
        .containsExactlyInAnyOrder("Interlibrary Loan", "Ask a Librarian");
    assertThat(r.body()).doesNotContain("passwordHash");
  }

  @Test
  void presenceApiFollowsOperatorsAvailability(Vertx vertx) {
    TestNode node = TestNode.start(vertx);

    TestNode.Http ill = node.get("/api/v1/presence/ill", null, FROM_A_LIBRARY_PAGE);
    assertThat(ill.status()).as("%s", ill).isEqualTo(200);
    assertThat(ill.json().getString("queue")).isEqualTo("ill");
    assertThat(ill.json().getBoolean("available")).isFalse();
    assertThat(ill.header("Access-Control-Allow-Origin")).contains("*");

    TestNode.Http text = node.get("/api/v1/presence/ill?format=text", null, FROM_A_LIBRARY_PAGE);
    assertThat(text.status()).isEqualTo(200);
    assertThat(text.body().trim()).isEqualTo("unavailable");
    assertThat(text.header("Access-Control-Allow-Origin")).contains("*");

    TestNode.Http unknown = node.get("/api/v1/presence/nope");
    assertThat(unknown.status()).as("%s", unknown).isEqualTo(404);
    assertThat(unknown.json().getString("error")).isEqualTo("unknown_queue");

    JsonObject both = multi(node);
    assertThat(both.getValue("firstAvailable")).isNull();
    assertThat(both.containsKey("firstAvailable")).isTrue();
    assertThat(availability(both)).containsExactly("ill=false", "general=false");

    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    node.awaitPresence("general", true);
    assertThat(node.get("/api/v1/presence/general?format=text").body().trim()).isEqualTo("available");
    both = multi(node);
    assertThat(availability(both)).containsExactly("ill=false", "general=true");
    assertThat(both.getString("firstAvailable")).isEqualTo("general");

    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    both = multi(node);
    assertThat(availability(both)).containsExactly("ill=true", "general=true");
    assertThat(both.getString("firstAvailable")).isEqualTo("ill");

    // Setting a queue unavailable is seen too.
    carol.available("ill", false);
    node.awaitPresence("ill", false);
  }

  @Test
  void operatorsOfAQueueHearWhenItsAvailabilityChanges(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operator(node, "alice"); // ill and general
    FrameClient carol = FrameClient.operator(node, "carol"); // ill
    carol.available("ill", true);
    // (The server may also report the current state at sign-in: look for the change.)
    alice.next("presence", f -> "ill".equals(f.getString("queue")) && Boolean.TRUE.equals(f.getBoolean("available")),
        TestNode.TIMEOUT);
    carol.available("ill", false);
    alice.next("presence", f -> "ill".equals(f.getString("queue")) && Boolean.FALSE.equals(f.getBoolean("available")),
        TestNode.TIMEOUT);
  }

  @Test
  void queueBecomesUnavailableWhenItsOperatorsLastConsoleCloses(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String token = node.login("carol");
    FrameClient first = FrameClient.operator(node, "carol", token);
    FrameClient second = FrameClient.operator(node, "carol", token);
    first.available("ill", true);
    node.awaitPresence("ill", true);

    // One console of two closes: carol is still there.
    first.drop();
    FrameClient alice = FrameClient.operator(node, "alice"); // staffs ill too: hears its presence changes
    alice.expectNone("presence",
        f -> "ill".equals(f.getString("queue")) && Boolean.FALSE.equals(f.getBoolean("available")), FrameClient.QUIET);
    assertThat(node.presence("ill")).as("ill with one of carol's consoles still open").isTrue();

    // Her last console closes: ill is unavailable.
    second.drop();
    node.awaitPresence("ill", false);
  }

  @Test
  void chatTranscriptIsForItsOperatorOrAnAdmin(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String carolToken = node.login("carol");
    FrameClient carol = FrameClient.operator(node, "carol", carolToken);
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    guest.say("hello");
    carol.offerFor(chatId);
    carol.accept(chatId);
    carol.say(chatId, "hi");

    JsonObject asHolder = node.chat(chatId, carolToken);
    assertThat(asHolder.getString("id")).isEqualTo(chatId);
    assertThat(asHolder.getString("state")).isEqualTo("active");
    assertThat(asHolder.getString("queue")).isEqualTo("ill");
    assertThat(asHolder.getString("recordedQueue")).isEqualTo("ill");
    assertThat(asHolder.getString("answeredQueue")).isEqualTo("ill");
    assertThat(asHolder.getValue("operator")).isNotNull();
    assertThat(asHolder.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly("hello", "hi");

    JsonObject asAdmin = node.chat(chatId, node.login("alice"));
    assertThat(asAdmin.getString("id")).isEqualTo(chatId);

    TestNode.Http asOther = node.get("/api/v1/chats/" + chatId, node.login("dave"));
    assertThat(asOther.status()).as("another operator: %s", asOther).isIn(403, 404);
    TestNode.Http anonymous = node.get("/api/v1/chats/" + chatId);
    assertThat(anonymous.status()).as("no token: %s", anonymous).isEqualTo(401);
  }

  private static JsonObject multi(TestNode node) {
    TestNode.Http r = node.get("/api/v1/presence?queues=ill,general", null, FROM_A_LIBRARY_PAGE);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Access-Control-Allow-Origin")).contains("*");
    return r.json();
  }

  private static List<String> availability(JsonObject multi) {
    return multi.getJsonArray("queues").stream()
        .map(q -> ((JsonObject) q).getString("queue") + "=" + ((JsonObject) q).getBoolean("available"))
        .toList();
  }
}
