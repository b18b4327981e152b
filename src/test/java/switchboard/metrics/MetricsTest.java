package switchboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/** GET /metrics in Prometheus text: Switchboard's own meters from a real chat, and Vert.x's when it has metrics on. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)");

  @Test
  void aChatThatRollsOverIsCountedStepByStep(Vertx vertx) {
    TestNode node = TestNode.builder(vertx).rolloverAfterSeconds(1).start();
    FrameClient carol = FrameClient.operator(node, "carol"); // ill only
    FrameClient dave = FrameClient.operator(node, "dave");   // general only
    carol.available("ill", true);
    dave.available("general", true);
    node.awaitPresence("ill", true);
    node.awaitPresence("general", true);

    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("ill", "Pat").getString("chatId");
    carol.offerFor(chatId);
    assertThat(dave.offerFor(chatId).getString("offeredOn")).isEqualTo("general"); // widened after 1 s
    dave.accept(chatId);
    guest.next("joined");

    Map<String, Double> m = awaitMetrics(node, "switchboard_accept_latency_seconds_count", 1.0);
    String text = node.get("/metrics").body();
    assertThat(text).contains("switchboard_chats_started_total{queue=\"ill\"} 1.0");
    assertThat(m).containsEntry("switchboard_offers_total{queue=\"ill\"}", 1.0)
        .containsEntry("switchboard_rollovers_total{queue=\"general\"}", 1.0);
    assertThat(m).doesNotContainKey("switchboard_rollovers_total{queue=\"ill\"}");
    assertThat(m.get("switchboard_sockets_open{kind=\"guest\"}")).isGreaterThanOrEqualTo(1.0);
    assertThat(m.get("switchboard_sockets_open{kind=\"operator\"}")).isGreaterThanOrEqualTo(2.0);
    // accepted after the 1 s rollover: the latency counts from when the chat started waiting
    assertThat(m.get("switchboard_accept_latency_seconds_sum")).isGreaterThanOrEqualTo(1.0).isLessThan(10.0);
    assertThat(m).containsEntry("switchboard_accept_latency_seconds_bucket{le=\"75.0\"}", 1.0)
        .containsEntry("switchboard_accept_latency_seconds_bucket{le=\"+Inf\"}", 1.0);
    assertThat(text).contains("# TYPE switchboard_accept_latency_seconds histogram");
    // chats by state come from the store, sampled every few seconds
    awaitMetrics(node, "switchboard_chats{state=\"active\"}", 1.0);

    dave.send(new JsonObject().put("type", "close").put("chatId", chatId));
    guest.next("closed");
    Map<String, Double> after = awaitMetrics(node, "switchboard_chats_ended_total{state=\"closed\"}", 1.0);
    assertThat(after).containsEntry("switchboard_chats_ended_total{state=\"missed\"}", 0.0)
        .containsEntry("switchboard_transfers_total", 0.0);
    guest.drop();
    awaitMetrics(node, "switchboard_sockets_open{kind=\"guest\"}", 0.0);
  }

  @Test
  void aNodeOnVertxWithMetricsAlsoShowsVertxAndJvmMeters() {
    Vertx measured = MetricsSetup.vertxWithMetrics();
    try {
      TestNode node = TestNode.start(measured);
      FrameClient guest = FrameClient.guest(node);
      guest.start("ill", "Sam");
      TestNode.Http r = node.get("/metrics");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
      assertThat(r.body()).contains("switchboard_chats_started_total{queue=\"ill\"} 1.0")
          .contains("jvm_memory_used_bytes")
          .contains("vertx_http_server_active_ws_connections");
      guest.close();
    } finally {
      TestNode.await(measured.close(), Duration.ofSeconds(15));
    }
  }

  /** Polls GET /metrics until {@code series} has {@code value}; returns every sample then. */
  private static Map<String, Double> awaitMetrics(TestNode node, String series, double value) {
    Map<String, Double>[] last = new Map[1];
    TestNode.waitUntil(() -> {
      last[0] = parse(node.get("/metrics").body());
      Double v = last[0].get(series);
      return v != null && v == value;
    }, Duration.ofSeconds(10), series + " = " + value);
    return last[0];
  }

  private static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        samples.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    return samples;
  }
}
