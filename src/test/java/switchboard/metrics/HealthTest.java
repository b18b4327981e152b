package switchboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/** /health/live and /health/ready (DESIGN §4): ready names the node and the check that failed. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HealthTest {
  private RedisServer redis;

  @AfterEach
  void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void anInMemoryNodeIsLiveAndReady(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).nodeId("node-mem").start();

    TestNode.Http live = node.get("/health/live");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.json().getString("status")).isEqualTo("UP");
    assertThat(live.json().getString("node")).isEqualTo("node-mem");

    TestNode.Http ready = node.get("/health/ready");
    assertThat(ready.status()).as("%s", ready).isEqualTo(200);
    JsonObject body = ready.json();
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getString("node")).isEqualTo("node-mem");
    assertThat(check(body, "store").getString("status")).isEqualTo("UP");
    assertThat(check(body, "events").getString("status")).isEqualTo("UP");
  }

  @Test
  void aRedisNodeIsNotReadyWhileRedisIsDownAndSaysWhy(Vertx vertx) {
    redis = RedisServer.start();
    TestNode node = TestNode.builder(vertx).redis(redis.url(), "health-" + UUID.randomUUID() + ":")
        .nodeId("node-r").start();
    assertThat(node.get("/health/ready").status()).isEqualTo(200);

    redis.stop();
    TestNode.Http down = awaitReady(node, 503);
    JsonObject body = down.json();
    assertThat(body.getString("status")).isEqualTo("DOWN");
    assertThat(body.getString("node")).isEqualTo("node-r");
    JsonObject store = check(body, "store");
    assertThat(store.getString("status")).isEqualTo("DOWN");
    assertThat(store.getString("error")).as("why the store check failed: %s", body).isNotBlank();
    assertThat(body.getString("reason")).contains("store");
    // a node whose Redis is away is not ready, but it is alive: no restart would help
    assertThat(node.get("/health/live").status()).isEqualTo(200);

    redis.restart();
    JsonObject back = awaitReady(node, 200).json();
    assertThat(back.getString("status")).isEqualTo("UP");
    assertThat(check(back, "store").getString("status")).isEqualTo("UP");
    assertThat(check(back, "events").getString("status")).isEqualTo("UP");
  }

  private static TestNode.Http awaitReady(TestNode node, int status) {
    TestNode.Http[] last = new TestNode.Http[1];
    TestNode.waitUntil(() -> (last[0] = node.get("/health/ready")).status() == status, Duration.ofSeconds(30),
        "/health/ready answering " + status);
    return last[0];
  }

  private static JsonObject check(JsonObject ready, String id) {
    JsonArray checks = ready.getJsonArray("checks");
    assertThat(checks).as("checks in %s", ready).isNotNull();
    return checks.stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no check " + id + " in " + ready.encode()));
  }
}
