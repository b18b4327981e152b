package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import switchboard.LocalMachine;
import switchboard.e2e.TestNode;

/**
 * A Switchboard node in a child JVM, started like production ({@code switchboard.Main -conf FILE},
 * Redis from {@code SWITCHBOARD_REDIS_URL}, port and node id from the environment), so a test can
 * kill it as a process (SIGKILL: no clean stop, no last words to Redis). Its output goes to
 * {@code target/NAME.log}.
 */
public final class NodeProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private NodeProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts a node with {@code configJson} (e.g. {@link TestNode.Builder#configJson()}) on a free
   * port and waits until its {@code /health/ready} answers 200.
   */
  public static NodeProcess start(String configJson, String redisUrl, String nodeId, String logName) throws Exception {
    return start(configJson, redisUrl, nodeId, logName, "256m");
  }

  /**
   * Like {@link #start(String, String, String, String)} with a heap of {@code maxHeap} (e.g. "96m");
   * {@code redisUrl} null runs the node on in-memory state, as the README's run command does.
   */
  public static NodeProcess start(String configJson, String redisUrl, String nodeId, String logName, String maxHeap)
      throws Exception {
    // a folder of its own: a node without Redis keeps its record in data/ beside its config file
    Path config = Files.createTempDirectory("switchboard-child-").resolve("config.json");
    Files.writeString(config, configJson);
    return start(config, redisUrl, nodeId, logName, maxHeap);
  }

  /** Starts a node on an existing config file (a restart keeps the record in {@code data/} beside it). */
  public static NodeProcess start(Path config, String redisUrl, String nodeId, String logName, String maxHeap)
      throws Exception {
    return start(config, redisUrl, nodeId, logName, maxHeap, Map.of());
  }

  /** Like {@link #start(Path, String, String, String, String)} with more environment variables. */
  public static NodeProcess start(Path config, String redisUrl, String nodeId, String logName, String maxHeap,
      Map<String, String> env) throws Exception {
    Path log = Path.of("target", logName + ".log");
    Files.createDirectories(log.getParent());
    int port = LocalMachine.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "switchboard.Main", "-conf", config.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    if (redisUrl != null) {
      pb.environment().put("SWITCHBOARD_REDIS_URL", redisUrl);
    } else {
      pb.environment().remove("SWITCHBOARD_REDIS_URL");
    }
    pb.environment().put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
    pb.environment().put("SWITCHBOARD_NODE_ID", nodeId);
    pb.environment().putAll(env);
    NodeProcess node = new NodeProcess(pb.start(), port, log);
    try {
      node.awaitReady(Duration.ofSeconds(60));
    } catch (RuntimeException | Error e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    TestNode.waitUntil(() -> {
      assertThat(process.isAlive()).as("child node running (see %s)", log).isTrue();
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }, timeout, "the child node to be ready (log: " + log + ")");
  }

  public int port() {
    return port;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as systemd or {@code docker stop} would; returns the exit code. */
  public int terminate() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child node gone 30 s after SIGTERM").isTrue();
    return process.exitValue();
  }

  /** SIGKILL, as a crash or the OOM killer would, and waits until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("child node gone after SIGKILL").isTrue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

}
