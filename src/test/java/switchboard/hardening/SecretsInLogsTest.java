package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.sms.TwilioSignature;

/**
 * A node with a texting number and mail set up is put through sign-ins (right and wrong),
 * a web chat with a resume, a texted chat with a reply sent through the provider, a refused
 * forged webhook and a sign-out, with every logger at DEBUG: no password, token, provider
 * secret or signature appears in any log line.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecretsInLogsTest {
  private static final String NUMBER = "+15551230000";
  private static final String SMS_AUTH_TOKEN = "sms-auth-token-c0ffee-1234567890";
  private static final String SID = "AC0000000000000000000000000000logs";
  private static final String MAIL_PASSWORD = "smtp-password-5ecret-42";
  private static final String PUBLIC_BASE = "https://chat.library.example";
  private static final String WRONG_PASSWORD = "wrong-Pa55w0rd-xyzzy";

  @Test
  void noSecretReachesTheLogs(Vertx vertx) throws Exception {
    List<String> sentToProvider = java.util.Collections.synchronizedList(new ArrayList<>());
    HttpServer provider = TestNode.await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      sentToProvider.add(b.toString());
      req.response().setStatusCode(201).putHeader("Content-Type", "application/json").end("{\"sid\":\"SMx\"}");
    })).listen(0));
    JsonObject number = new JsonObject().put("number", NUMBER).put("queue", "general")
        .put("offlineReply", "Closed now.")
        .put("provider", new JsonObject().put("type", "twilio").put("accountSid", SID).put("authToken", SMS_AUTH_TOKEN)
            .put("apiBase", "http://127.0.0.1:" + provider.actualPort()));
    List<String> secrets = new ArrayList<>(List.of(TestNode.PASSWORD, WRONG_PASSWORD, SMS_AUTH_TOKEN, MAIL_PASSWORD,
        Base64.getEncoder().encodeToString((SID + ":" + SMS_AUTH_TOKEN).getBytes(StandardCharsets.UTF_8))));

    try (LogCapture logs = LogCapture.atLevel(Level.DEBUG)) {
      TestNode node = TestNode.builder(vertx)
          .editConfig(c -> c.put("publicBaseUrl", PUBLIC_BASE).put("sms", new JsonArray().add(number))
              .put("mail", new JsonObject().put("host", "127.0.0.1").put("port", 1).put("from", "chat@library.example")
                  .put("username", "chat").put("password", MAIL_PASSWORD)))
          .start();

      assertThat(node.loginRequest("alice", WRONG_PASSWORD).status()).isEqualTo(401);
      String aliceToken = node.login("alice");
      String bobToken = node.login("bob");
      secrets.add(aliceToken);
      secrets.add(bobToken);
      FrameClient bob = FrameClient.operator(node, "bob", bobToken);
      bob.available("general", true);
      node.awaitPresence("general", true);

      FrameClient guest = FrameClient.guest(node);
      JsonObject started = guest.start("general", "Pat");
      String chatId = started.getString("chatId");
      secrets.add(started.getString("token"));
      bob.offerFor(chatId);
      bob.accept(chatId);
      guest.say("hello");
      guest.drop();
      FrameClient back = FrameClient.guest(node);
      back.send(new JsonObject().put("type", "resume").put("chatId", chatId).put("token", started.getString("token"))
          .put("lastSeq", 0));
      back.next("resumed");
      back.send(new JsonObject().put("type", "resume").put("chatId", chatId).put("token", "not-" + started.getString("token"))
          .put("lastSeq", 0));
      back.expectError("not_found");

      // a text in, signed as the provider signs, and a reply out through the provider
      Map<String, String> params = new LinkedHashMap<>();
      params.put("MessageSid", "SMlogs1");
      params.put("AccountSid", SID);
      params.put("From", "+15559876543");
      params.put("To", NUMBER);
      params.put("Body", "texting in");
      String path = "/api/v1/sms/inbound/twilio";
      String signature = TwilioSignature.sign(SMS_AUTH_TOKEN, PUBLIC_BASE + path, params);
      secrets.add(signature);
      String form = params.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
      HttpClient http = HttpClient.newHttpClient();
      assertThat(http.send(HttpRequest.newBuilder(node.uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
          .header("X-Twilio-Signature", signature).POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      String smsChat = bob.next("offer", o -> "sms".equals(o.getJsonObject("guest").getString("channel")),
          TestNode.TIMEOUT).getString("chatId");
      bob.accept(smsChat);
      bob.say(smsChat, "replying by text");
      TestNode.waitUntil(() -> !sentToProvider.isEmpty(), TestNode.TIMEOUT, "the reply at the provider");
      // a forged webhook is refused and logged, without the signature it carried
      String forged = TwilioSignature.sign("not-the-token", PUBLIC_BASE + path, params);
      assertThat(http.send(HttpRequest.newBuilder(node.uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
          .header("X-Twilio-Signature", forged).POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
      secrets.add(forged);

      // the stats link carries a token in its query; an operator-only call with one fails
      assertThat(node.get("/api/v1/stats.csv?token=" + aliceToken).status()).isEqualTo(200);
      assertThat(node.get("/api/v1/stats.csv?token=" + bobToken).status()).isEqualTo(403);
      assertThat(node.post("/api/v1/logout", null, bobToken).status()).isEqualTo(200);
      assertThat(bob.awaitClose(TestNode.TIMEOUT)).isEqualTo((short) 4401);

      List<String> lines = logs.lines();
      assertThat(lines).as("log lines captured").hasSizeGreaterThan(10);
      for (String secret : secrets) {
        assertThat(lines).as("log lines containing a secret").noneMatch(l -> l.contains(secret));
      }
      // what is logged instead says what happened
      assertThat(lines).anyMatch(l -> l.contains("failed sign-in for alice"));
      assertThat(lines).anyMatch(l -> l.contains("refused an unsigned or forged SMS webhook"));
    } finally {
      TestNode.await(provider.close());
    }
  }
}
