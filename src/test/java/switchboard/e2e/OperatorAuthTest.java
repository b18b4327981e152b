package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Who may open an operator console socket: tokens, logout, the auth deadline, and the Origin check. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OperatorAuthTest {
  static final short UNAUTHORIZED = 4401;

  @Test
  void readyDescribesTheOperatorAndTheirQueues(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient alice = FrameClient.operatorSocket(node, node.login("alice"), "alice");
    JsonObject ready = alice.next("ready");
    assertThat(ready.getJsonObject("operator").getString("id")).isEqualTo("alice");
    assertThat(ready.getJsonObject("operator").getString("name")).isEqualTo("Alice");
    JsonArray queues = ready.getJsonArray("queues");
    assertThat(queues.stream().map(q -> ((JsonObject) q).getString("name"))).containsExactlyInAnyOrder("ill", "general");
    assertThat(queues.stream().map(q -> ((JsonObject) q).getBoolean("available"))).containsOnly(false);
  }

  @Test
  void badTokenClosesTheSocketWith4401(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient socket = FrameClient.operatorSocket(node, "not-a-real-token", "intruder");
    assertThat(socket.awaitClose(TestNode.TIMEOUT)).isEqualTo(UNAUTHORIZED);
    assertThat(socket.pending("ready", f -> true)).isEmpty();
  }

  @Test
  void noAuthFrameWithinTenSecondsClosesTheSocketWith4401(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    FrameClient socket = FrameClient.connect(node, "/ws/operator", "silent");
    assertThat(socket.awaitClose(Duration.ofSeconds(15))).isEqualTo(UNAUTHORIZED);
  }

  @Test
  void logoutRevokesTheToken(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String token = node.login("bob");
    FrameClient open = FrameClient.operator(node, "bob", token); // works before logout
    FrameClient otherSession = FrameClient.operator(node, "bob"); // bob's second sign-in, elsewhere

    TestNode.Http logout = node.post("/api/v1/logout", new JsonObject(), token);
    assertThat(logout.status()).as("logout: %s", logout).isBetween(200, 299);
    assertThat(open.awaitClose(TestNode.TIMEOUT)).as("the console open with the revoked token").isEqualTo(UNAUTHORIZED);
    otherSession.assertOpen();

    FrameClient again = FrameClient.operatorSocket(node, token, "bob-after-logout");
    assertThat(again.awaitClose(TestNode.TIMEOUT)).isEqualTo(UNAUTHORIZED);

    // Signing in again gives a working token.
    FrameClient.operator(node, "bob");
  }

  @Test
  void operatorSocketFromAForeignOriginIsRefused(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    assertThatThrownBy(() -> TestNode.await(
            FrameClient.connectAsync(node, "/ws/operator", "evil", "https://evil.example")))
        .as("handshake from https://evil.example")
        .isInstanceOf(AssertionError.class);

    // A client that sends no Origin (not a browser) may connect and sign in.
    FrameClient ok = FrameClient.operator(node, "alice");
    ok.assertOpen();
  }
}
