package switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} on a free port with persistence off, so a benchmark neither
 * touches anyone's Redis nor waits on a disk.
 */
final class BenchRedis implements AutoCloseable {
  private final Process process;
  private final int port;

  private BenchRedis(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static BenchRedis start(Path logDir) {
    int port = freePort();
    try {
      Files.createDirectories(logDir);
      Process p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no")
          .redirectErrorStream(true)
          .redirectOutput(logDir.resolve("redis-" + port + ".log").toFile())
          .start();
      BenchRedis redis = new BenchRedis(p, port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("redis-server exited; see " + logDir.resolve("redis-" + port + ".log"));
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return redis;
        } catch (IOException notYet) {
          Await.sleep(0.05);
        }
      }
      redis.close();
      throw new IllegalStateException("redis-server did not listen on " + port + " within 10 s");
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (is it installed?): " + e.getMessage(), e);
    }
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
