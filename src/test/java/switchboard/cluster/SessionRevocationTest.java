package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * Issue 14, defect 7: a password change (or a role change) made on one node revokes every
 * session the operator has, on every node: the old token stops working on the API and the open
 * consoles close with 4401 at once, not at their next check. Before the fix the old token kept
 * working for its whole 12 hours.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionRevocationTest {
  private static RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;
  private TestNode a;
  private TestNode b;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void startNodes() {
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
    String prefix = "revoke-" + UUID.randomUUID() + ":";
    a = TestNode.builder(vertxA).redis(redis.url(), prefix).nodeId("node-a").clientVertx(clients).start();
    b = TestNode.builder(vertxB).redis(redis.url(), prefix).nodeId("node-b").clientVertx(clients).start();
  }

  @AfterEach
  void closeAll() {
    for (Vertx v : new Vertx[] {vertxA, vertxB, clients}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
  }

  private static JsonObject erin(String password, String role) {
    return new JsonObject().put("id", "erin").put("name", "Erin").put("queues", new JsonArray().add("ill"))
        .put("role", role).put("password", password);
  }

  @Test
  void aPasswordOrRoleChangeOnOneNodeRevokesEverySessionOnBoth() {
    String admin = a.login("alice");
    assertThat(a.post("/api/v1/admin/operators", erin("erin-old-pass-1", "operator"), admin).status()).isEqualTo(201);
    // the new operator reaches node b through the store a moment later
    TestNode.waitUntil(() -> b.get("/api/v1/admin/operators/erin", admin).status() == 200, Duration.ofSeconds(5),
        "erin to be known on node b");
    String oldToken = b.loginRequest("erin", "erin-old-pass-1").json().getString("token");
    String otherOldToken = a.loginRequest("erin", "erin-old-pass-1").json().getString("token");
    FrameClient consoleOnB = FrameClient.operator(b, "erin", oldToken);
    FrameClient consoleOnA = FrameClient.operator(a, "erin", otherOldToken);

    // a change that keeps the password (a new name) keeps the sessions
    assertThat(a.put("/api/v1/admin/operators/erin", erin(null, "operator").put("name", "Erin B."), admin).status())
        .isEqualTo(200);
    assertThat(b.get("/api/v1/canned", oldToken).status()).isEqualTo(200);
    consoleOnB.assertOpen();

    assertThat(a.put("/api/v1/admin/operators/erin", erin("erin-new-pass-2", "operator"), admin).status())
        .isEqualTo(200);
    // both consoles close now (the periodic check would take up to 15 s)
    assertThat(consoleOnB.awaitClose(Duration.ofSeconds(3))).isEqualTo((short) 4401);
    assertThat(consoleOnA.awaitClose(Duration.ofSeconds(3))).isEqualTo((short) 4401);
    for (TestNode node : new TestNode[] {a, b}) {
      assertThat(node.get("/api/v1/canned", oldToken).status()).as("old token on %s", node.nodeId()).isEqualTo(401);
      assertThat(node.get("/api/v1/canned", otherOldToken).status()).isEqualTo(401);
    }
    TestNode.waitUntil(() -> b.loginRequest("erin", "erin-new-pass-2").status() == 200, Duration.ofSeconds(5),
        "the new password to work on node b");
    assertThat(a.loginRequest("erin", "erin-old-pass-1").status()).isEqualTo(401);
    assertThat(b.loginRequest("erin", "erin-old-pass-1").status()).isEqualTo(401);
    TestNode.Http fresh = b.loginRequest("erin", "erin-new-pass-2");
    assertThat(fresh.status()).isEqualTo(200);
    String newToken = fresh.json().getString("token");
    FrameClient again = FrameClient.operator(a, "erin", newToken);

    // a role change revokes too: an admin made operator keeps no admin session
    assertThat(a.put("/api/v1/admin/operators/erin", erin(null, "admin"), admin).status()).isEqualTo(200);
    assertThat(again.awaitClose(Duration.ofSeconds(3))).isEqualTo((short) 4401);
    assertThat(b.get("/api/v1/canned", newToken).status()).isEqualTo(401);
    // other operators' sessions are untouched
    assertThat(b.get("/api/v1/admin/operators", admin).status()).isEqualTo(200);
  }
}
