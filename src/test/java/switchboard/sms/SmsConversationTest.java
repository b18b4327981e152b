package switchboard.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.e2e.FrameClient.forChat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * A texting number feeding the ill queue, with a fake provider: a real HTTP server on a
 * free port that records every text it is asked to send and answers as a test tells it to.
 */
@ExtendWith(VertxExtension.class)
class SmsConversationTest {
  private static final String NUMBER = "+15551230000";
  private static final String TEXTER = "+15559876543";
  private static final String PUBLIC_BASE = "https://chat.library.example";
  private static final String TOKEN = "provider-secret-token";
  private static final String SID = "AC0000000000000000000000000000test";

  /** What the fake provider received, and how it answers the next requests (status, or -1 to hang). */
  private final List<Map<String, String>> sent = Collections.synchronizedList(new ArrayList<>());
  private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedDeque<Integer> nextAnswers = new ConcurrentLinkedDeque<>();
  private HttpServer provider;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startProvider(Vertx vertx) {
    provider = TestNode.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Integer answer = nextAnswers.poll();
      int status = answer == null ? 201 : answer;
      if (status == -1) {
        return; // hang: the client's time-out must fire
      }
      if (status >= 200 && status < 300) {
        sent.add(form(body.toString()));
        authorizations.add(req.getHeader("Authorization"));
      }
      req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", status).encode());
    })).listen(0));
  }

  @AfterEach
  void stopProvider() {
    TestNode.await(provider.close());
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return fields;
  }

  private TestNode node(Vertx vertx) {
    return node(vertx, null, null);
  }

  /** With {@code redisUrl}, on Redis under {@code prefix}. */
  private TestNode node(Vertx vertx, String redisUrl, String prefix) {
    JsonObject number = new JsonObject().put("number", NUMBER).put("queue", "ill")
        .put("offlineReply", "We are closed; we will text you back.")
        .put("provider", new JsonObject().put("type", "twilio").put("accountSid", SID).put("authToken", TOKEN)
            .put("apiBase", "http://127.0.0.1:" + provider.actualPort()));
    TestNode.Builder builder = TestNode.builder(vertx).rolloverAfterSeconds(1)
        .editConfig(c -> c.put("publicBaseUrl", PUBLIC_BASE).put("sms", new JsonArray().add(number)));
    return (redisUrl == null ? builder : builder.redis(redisUrl, prefix)).start();
  }

  /**
   * Issue 14, defect 4: the id of an inbound text was marked seen before the text was processed,
   * so when the store failed mid-way the provider's retry got 200 "delivered twice; ignored" and
   * the text was lost. Here the store fails that one text's processing (the texter's chat key holds
   * a value of the wrong type, as a Redis blip would fail the command), then recovers.
   */
  @Test
  void aTextWhoseProcessingFailedIsProcessedWhenTheProviderRetries(Vertx vertx) throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      String prefix = "sms-" + java.util.UUID.randomUUID() + ":";
      TestNode node = node(vertx, redis.url(), prefix);
      FrameClient carol = FrameClient.operator(node, "carol");
      carol.available("ill", true);
      node.awaitPresence("ill", true);
      Redis raw = Redis.createClient(vertx, redis.url());
      String chatKey = prefix + "value:sms-chat:" + NUMBER + ":" + TEXTER;
      try {
        TestNode.await(raw.send(Request.cmd(Command.LPUSH).arg(chatKey).arg("not a chat id")));
        assertThat(text(node, "SM77", "my library card expired", TOKEN)).as("processing failed").isEqualTo(503);
        carol.expectNone("offer", FrameClient.QUIET);

        TestNode.await(raw.send(Request.cmd(Command.DEL).arg(chatKey))); // the store is well again
        assertThat(text(node, "SM77", "my library card expired", TOKEN)).as("the provider's retry").isEqualTo(200);
        String chatId = carol.next("offer", TestNode.TIMEOUT).getString("chatId");
        JsonObject accepted = carol.accept(chatId);
        assertThat(accepted.getJsonArray("history")).hasSize(1);
        assertThat(accepted.getJsonArray("history").getJsonObject(0).getString("text"))
            .isEqualTo("my library card expired");
        // once stored, a further delivery of the same id is ignored, not stored twice
        assertThat(text(node, "SM77", "my library card expired", TOKEN)).isEqualTo(200);
        carol.expectNone("message", FrameClient.QUIET);
        assertThat(node.chat(chatId, node.login("alice")).getJsonArray("messages")).hasSize(1);
      } finally {
        TestNode.await(raw.close());
      }
    }
  }

  /** POSTs a text as the provider would, signed with {@code signingToken} (null: unsigned). */
  private int text(TestNode node, String sid, String body, String signingToken) throws Exception {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", sid);
    params.put("AccountSid", SID);
    params.put("From", TEXTER);
    params.put("To", NUMBER);
    params.put("Body", body);
    String path = "/api/v1/sms/inbound/twilio";
    HttpRequest.Builder request = HttpRequest.newBuilder(node.uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(params.entrySet().stream()
            .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"))));
    if (signingToken != null) {
      request.header("X-Twilio-Signature", TwilioSignature.sign(signingToken, PUBLIC_BASE + path, params));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void aTextReachesAnOperatorThroughRolloverAndTheReplyReachesThePhone(Vertx vertx) throws Exception {
    TestNode node = node(vertx);
    FrameClient carol = FrameClient.operator(node, "carol"); // ill
    FrameClient dave = FrameClient.operator(node, "dave"); // general
    carol.available("ill", true);
    dave.available("general", true);
    node.awaitPresence("general", true);

    assertThat(text(node, "SM1", "Do you have the atlas?", TOKEN)).isEqualTo(200);
    JsonObject first = carol.next("offer", TestNode.TIMEOUT);
    String chatId = first.getString("chatId");
    assertThat(first.getJsonObject("guest").getString("channel")).isEqualTo("sms");
    assertThat(first.getJsonObject("guest").getString("name")).endsWith("6543").doesNotContain("555987");
    JsonObject widened = dave.next("offer", forChat(chatId), Duration.ofSeconds(5));
    assertThat(widened.getString("offeredOn")).isEqualTo("general");
    JsonObject accepted = dave.accept(chatId);
    assertThat(accepted.getJsonArray("history").getJsonObject(0).getString("text")).isEqualTo("Do you have the atlas?");

    dave.say(chatId, "Yes, on the second floor.");
    TestNode.waitUntil(() -> sent.size() == 1, TestNode.TIMEOUT, "the reply at the provider");
    assertThat(sent.get(0)).containsEntry("To", TEXTER).containsEntry("From", NUMBER)
        .containsEntry("Body", "Yes, on the second floor.");
    assertThat(new String(Base64.getDecoder().decode(authorizations.get(0).substring(6)), StandardCharsets.UTF_8))
        .isEqualTo(SID + ":" + TOKEN);

    // a later text joins the same chat
    assertThat(text(node, "SM2", "Thanks!", TOKEN)).isEqualTo(200);
    JsonObject second = dave.next("message", forChat(chatId), TestNode.TIMEOUT);
    assertThat(second.getString("text")).isEqualTo("Thanks!");
    assertThat(second.getInteger("seq")).isEqualTo(3);

    JsonObject record = node.chat(chatId, node.login("alice"));
    assertThat(record.getString("recordedQueue")).isEqualTo("ill");
    assertThat(record.getString("answeredQueue")).isEqualTo("general");
    carol.expectNone("message", forChat(chatId), FrameClient.QUIET);

    JsonArray channels = node.get("/api/v1/stats", node.login("alice")).json().getJsonArray("byChannel");
    assertThat(channels.getJsonObject(0).getString("channel")).isEqualTo("sms");
    assertThat(channels.getJsonObject(0).getJsonObject("metrics").getInteger("answered")).isEqualTo(1);
  }

  @Test
  void forgedUnsignedAndRepeatedTextsAreRefusedOrIgnored(Vertx vertx) throws Exception {
    TestNode node = node(vertx);
    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    node.awaitPresence("ill", true);

    assertThat(text(node, "SM9", "forged", "not-the-token")).isEqualTo(403);
    assertThat(text(node, "SM9", "unsigned", null)).isEqualTo(403);
    carol.expectNone("offer", FrameClient.QUIET);

    assertThat(text(node, "SM10", "hello once", TOKEN)).isEqualTo(200);
    String chatId = carol.next("offer", TestNode.TIMEOUT).getString("chatId");
    carol.accept(chatId);
    assertThat(text(node, "SM10", "hello once", TOKEN)).as("the provider delivering again").isEqualTo(200);
    assertThat(text(node, "SM11", "second text", TOKEN)).isEqualTo(200);
    JsonObject next = carol.next("message", forChat(chatId), TestNode.TIMEOUT);
    assertThat(next.getString("text")).isEqualTo("second text");
    assertThat(node.chat(chatId, node.login("alice")).getJsonArray("messages")).hasSize(2);
  }

  @Test
  void providerErrorsAreRetriedAndAFinalFailureIsShownToTheOperator(Vertx vertx) throws Exception {
    TestNode node = node(vertx);
    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    assertThat(text(node, "SM20", "hi", TOKEN)).isEqualTo(200);
    String chatId = carol.next("offer", TestNode.TIMEOUT).getString("chatId");
    carol.accept(chatId);

    // two failures, then the provider takes it: delivered once
    nextAnswers.add(500);
    nextAnswers.add(503);
    carol.say(chatId, "after two failures");
    TestNode.waitUntil(() -> sent.size() == 1, Duration.ofSeconds(10), "the retried reply at the provider");
    assertThat(sent.get(0)).containsEntry("Body", "after two failures");

    // a hang times out and the second attempt goes through
    nextAnswers.add(-1);
    carol.say(chatId, "after a time-out");
    TestNode.waitUntil(() -> sent.size() == 2, Duration.ofSeconds(15), "the reply after a time-out");

    // it keeps failing: the operator is told which message did not reach the phone
    nextAnswers.add(500);
    nextAnswers.add(500);
    nextAnswers.add(500);
    int seq = carol.say(chatId, "never delivered").getInteger("seq");
    JsonObject error = carol.next("error", forChat(chatId), Duration.ofSeconds(15));
    assertThat(error.getString("code")).isEqualTo("unavailable");
    assertThat(error.getInteger("seq")).isEqualTo(seq);
    assertThat(sent).hasSize(2);
    // and the message is kept in the transcript
    assertThat(node.chat(chatId, node.login("alice")).encode()).contains("never delivered");
  }

  @Test
  void nobodyAvailableGetsTheOfflineReplyOnceAndLongRepliesAreSplit(Vertx vertx) throws Exception {
    TestNode node = node(vertx);
    assertThat(text(node, "SM30", "anyone there?", TOKEN)).isEqualTo(200);
    assertThat(text(node, "SM31", "hello?", TOKEN)).isEqualTo(200);
    TestNode.waitUntil(() -> sent.size() == 1, TestNode.TIMEOUT, "the offline reply");
    assertThat(sent.get(0)).containsEntry("Body", "We are closed; we will text you back.")
        .containsEntry("To", TEXTER);

    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    String chatId = carol.next("offer", TestNode.TIMEOUT).getString("chatId");
    JsonObject accepted = carol.accept(chatId);
    assertThat(accepted.getJsonArray("history")).hasSize(2);
    String longReply = "Our interlibrary loan desk can order that book for you. ".repeat(6).strip();
    carol.say(chatId, longReply);
    int expectedParts = SmsText.split(longReply).size();
    assertThat(expectedParts).isEqualTo(3);
    TestNode.waitUntil(() -> sent.size() == 1 + expectedParts, TestNode.TIMEOUT, "the long reply, in parts");
    List<String> parts = sent.subList(1, sent.size()).stream().map(m -> m.get("Body")).toList();
    assertThat(parts).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(153));
    assertThat(String.join(" ", parts)).isEqualTo(longReply);
    assertThat(sent).hasSize(1 + parts.size());
  }

  @Test
  void adminsSetUpTextingNumbersWithoutRestartAndNeverSeeTheToken(Vertx vertx) throws Exception {
    TestNode node = TestNode.builder(vertx).editConfig(c -> c.put("publicBaseUrl", PUBLIC_BASE)).start();
    String admin = node.login("alice");
    assertThat(text(node, "SM40", "hello", TOKEN)).as("no number set up yet").isEqualTo(403);

    JsonObject number = new JsonObject().put("number", NUMBER).put("queue", "ill")
        .put("provider", new JsonObject().put("type", "twilio").put("accountSid", SID).put("authToken", TOKEN)
            .put("apiBase", "http://127.0.0.1:" + provider.actualPort()));
    TestNode.Http created = node.post("/api/v1/admin/sms", number, admin);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.body()).doesNotContain(TOKEN);
    assertThat(node.get("/api/v1/admin/sms", admin).body()).contains(NUMBER).doesNotContain(TOKEN);
    TestNode.Http unknownQueue = node.post("/api/v1/admin/sms", number.copy().put("number", "+15550000001")
        .put("queue", "nope"), admin);
    assertThat(unknownQueue.json().getString("message")).isEqualTo("queue: unknown queue \"nope\"");
    assertThat(node.post("/api/v1/admin/sms", number, node.login("bob")).status()).isEqualTo(403);

    FrameClient carol = FrameClient.operator(node, "carol");
    carol.available("ill", true);
    node.awaitPresence("ill", true);
    assertThat(text(node, "SM41", "hello", TOKEN)).isEqualTo(200);
    carol.next("offer", TestNode.TIMEOUT);

    // a change that leaves the token out keeps it
    JsonObject withoutToken = number.copy().put("offlineReply", "Back soon.");
    withoutToken.getJsonObject("provider").remove("authToken");
    String path = "/api/v1/admin/sms/" + URLEncoder.encode(NUMBER, StandardCharsets.UTF_8);
    assertThat(node.put(path, withoutToken, admin).status()).isEqualTo(200);
    TestNode.Http one = node.get(path, admin);
    assertThat(one.status()).as("%s", one).isEqualTo(200);
    assertThat(one.json().getString("number")).isEqualTo(NUMBER);
    assertThat(one.json().getString("offlineReply")).isEqualTo("Back soon.");
    assertThat(one.body()).doesNotContain(TOKEN);
    assertThat(node.get("/api/v1/admin/sms/" + URLEncoder.encode("+15550000009", StandardCharsets.UTF_8), admin)
        .json().getString("message")).isEqualTo("no texting number +15550000009");
    assertThat(node.get(path, node.login("bob")).status()).isEqualTo(403);
    assertThat(text(node, "SM42", "still there?", TOKEN)).isEqualTo(200);

    assertThat(node.delete(path, admin).status()).isEqualTo(204);
    assertThat(text(node, "SM43", "hello?", TOKEN)).isEqualTo(403);
  }
}
