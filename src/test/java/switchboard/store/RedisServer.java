package switchboard.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import switchboard.LocalMachine;

/**
 * A private redis-server for tests: {@code redis-server --port P --bind 127.0.0.1 --save ""
 * --appendonly no} on a free port, ready once PING answers. With {@code SWITCHBOARD_TEST_REDIS_URL}
 * set, that server is used instead (then {@link #stop()}/{@link #restart()} are unsupported and
 * fail the test that needs them). Never skips: a missing redis-server fails loudly.
 */
public final class RedisServer implements AutoCloseable {
  public static final String ENV_URL = "SWITCHBOARD_TEST_REDIS_URL";
  private static final long READY_TIMEOUT_MS = 10_000;

  private final String externalUrl;
  private final int port;
  private final Path logFile;
  private Path dataDir;
  private Process process;

  private RedisServer(String externalUrl, int port, Path logFile) {
    this.externalUrl = externalUrl;
    this.port = port;
    this.logFile = logFile;
  }

  public static RedisServer start() {
    return start(false);
  }

  /**
   * A server that keeps its data across {@link #restart()} in an append-only file synced
   * on every write, as a production Redis should be set up.
   */
  public static RedisServer startPersistent() {
    return start(true);
  }

  private static RedisServer start(boolean persistent) {
    String external = System.getenv(ENV_URL);
    if (external != null && !external.isBlank()) {
      return new RedisServer(external.trim(), -1, null);
    }
    String binary = LocalMachine.requireExecutable("redis-server", "redis-server");
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between probe and bind
      RedisServer server;
      try {
        server = new RedisServer(null, LocalMachine.freePort(), Files.createTempFile("redis-test-", ".log"));
        if (persistent) {
          server.dataDir = Files.createTempDirectory("redis-test-data-");
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot prepare redis-server", e);
      }
      try {
        server.launch(binary);
        return server;
      } catch (IllegalStateException e) {
        server.close();
        last = e;
      }
    }
    throw last;
  }

  public String url() {
    return externalUrl != null ? externalUrl : "redis://127.0.0.1:" + port;
  }

  public boolean isExternal() {
    return externalUrl != null;
  }

  public int port() {
    requirePrivate("port");
    return port;
  }

  /** Kills the server (SIGKILL, like a crash) and waits until it is gone. */
  public synchronized void stop() {
    requirePrivate("stop");
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    process = null;
  }

  /**
   * Freezes the server (SIGSTOP): its port still accepts connections and takes commands into
   * its socket buffers, but nothing is answered until {@link #resume()} (SIGCONT), when it runs
   * what queued up meanwhile. Keys with an expiry that passed during the pause are gone then.
   */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Lets a {@link #pause() paused} server run again (SIGCONT). */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    requirePrivate(name.toLowerCase(java.util.Locale.ROOT));
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the server again on the same port (empty: no persistence). */
  public synchronized void restart() {
    requirePrivate("restart");
    stop();
    String binary = LocalMachine.requireExecutable("redis-server", "redis-server");
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    while (true) {
      try {
        launch(binary);
        return;
      } catch (IllegalStateException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        sleep(200);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
    if (logFile != null) {
      try {
        Files.deleteIfExists(logFile);
      } catch (IOException ignored) {
        // a temp file
      }
    }
  }

  private void requirePrivate(String what) {
    if (externalUrl != null) {
      throw new IllegalStateException(what + "() needs a private redis-server, but " + ENV_URL + "=" + externalUrl
          + " is set: unset it to run this test");
    }
  }

  private synchronized void launch(String binary) {
    List<String> persistence = dataDir == null ? List.of("--appendonly", "no")
        : List.of("--appendonly", "yes", "--appendfsync", "always", "--dir", dataDir.toString());
    List<String> command = new java.util.ArrayList<>(List.of(binary, "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--daemonize", "no"));
    command.addAll(persistence);
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary, e);
    }
    Process p = process;
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        process = null;
        throw new IllegalStateException("redis-server exited at start on port " + port + ": " + logTail());
      }
      if (pingOk()) {
        return;
      }
      sleep(50);
    }
    p.destroyForcibly();
    process = null;
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING: " + logTail());
  }

  private boolean pingOk() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, buf.length);
      return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
