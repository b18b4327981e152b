package switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the load generator working: a few seconds of the relay scenario (20 pairs, in memory, one
 * small step) must write its report with messages received and none lost. It checks that the
 * generator runs, not how fast anything is: timing belongs in the benchmark, not in a test.
 */
class BenchSmokeTest {
  @Test
  void aSmallRelayRunWritesItsReport(@TempDir Path out) throws Exception {
    Path json = RelayBench.run(Options.parse(
        "configs=memory-1 pairs=20 lanes=2 rates=200 refine=0 confirm=false fixedRate=0 jitWarmup=0",
        "warmup=0.5 measure=2 drain=1 settle=10 maxOthersPct=100 quietWait=0 retries=0 out=" + out));

    assertThat(json).exists();
    assertThat(out.resolve("relay.md")).exists();
    JsonObject report = new JsonObject(Files.readString(json));
    assertThat(report.getJsonObject("machine").getInteger("cores")).isPositive();
    JsonObject step = report.getJsonObject("results").getJsonObject("memory-1").getJsonArray("steps").getJsonObject(0);
    assertThat(step.getLong("received")).as("messages received: %s", step).isPositive();
    assertThat(step.getLong("lost")).as("messages lost: %s", step).isZero();
    assertThat(step.getLong("errors")).as("error frames: %s", step).isZero();
    assertThat(step.getJsonObject("latencyFromScheduled").getLong("count")).isEqualTo(step.getLong("received"));
  }
}
