package switchboard.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import switchboard.LocalMachine;

/**
 * A private PostgreSQL for tests, from the OS's packages: {@code initdb} into a temporary folder and
 * {@code postgres} on a free port (run as the {@code postgres} user when the tests run as root,
 * which PostgreSQL refuses), started once per test JVM; each test gets a database of its own.
 * With {@code SWITCHBOARD_TEST_POSTGRES_URL} (a JDBC URL of a server whose user may create
 * databases) that server is used instead. Never skips: missing binaries fail loudly.
 */
public final class PostgresServer {
  public static final String ENV_URL = "SWITCHBOARD_TEST_POSTGRES_URL";
  private static final long READY_TIMEOUT_MS = 30_000;
  private static PostgresServer shared;

  private final String baseUrl; // jdbc:postgresql://host:port/
  private final String user;
  private final Path folder;
  private final Process process;

  private PostgresServer(String baseUrl, String user, Path folder, Process process) {
    this.baseUrl = baseUrl;
    this.user = user;
    this.folder = folder;
    this.process = process;
  }

  /** The server of this JVM, started on first use and stopped when the JVM ends. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-test-stop"));
    }
    return shared;
  }

  /** A new, empty database on the shared server: its JDBC URL (user in the URL, no password). */
  public static String newDatabase() {
    return shared().createDatabase("t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
  }

  private String createDatabase(String name) {
    try (Connection c = DriverManager.getConnection(baseUrl + "postgres?user=" + user);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name + " at " + baseUrl + ": " + e.getMessage(), e);
    }
    return baseUrl + name + "?user=" + user;
  }

  private static PostgresServer start() {
    String external = System.getenv(ENV_URL);
    if (external != null && !external.isBlank()) {
      String url = external.trim();
      int q = url.indexOf('?');
      String query = q < 0 ? "" : url.substring(q + 1);
      String base = url.substring(0, q < 0 ? url.length() : q);
      base = base.substring(0, base.lastIndexOf('/') + 1);
      String user = Stream.of(query.split("&")).filter(p -> p.startsWith("user=")).map(p -> p.substring(5))
          .findFirst().orElse("postgres");
      return new PostgresServer(base, user, null, null);
    }
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    try {
      Path folder = Files.createTempDirectory("switchboard-pg-");
      if (root) {
        run(List.of("chown", "postgres", folder.toString()));
      }
      Path data = folder.resolve("data");
      run(asPostgres(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
          "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8")));
      int port = LocalMachine.freePort();
      ProcessBuilder pb = new ProcessBuilder(asPostgres(root, List.of(bin.resolve("postgres").toString(),
          "-D", data.toString(), "-p", Integer.toString(port), "-k", folder.toString(),
          "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
          "-c", "full_page_writes=off")));
      pb.redirectErrorStream(true).redirectOutput(folder.resolve("postgres.log").toFile());
      Process process = pb.start();
      PostgresServer server = new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/", "postgres", folder,
          process);
      server.awaitReady();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a test PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** Where initdb and postgres are: Debian keeps them under /usr/lib/postgresql/VERSION/bin. */
  private static Path binaries() {
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        var found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(Comparator.comparing(Path::toString));
        if (found.isPresent()) {
          return found.get();
        }
      } catch (IOException e) {
        // fall through to PATH
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb")) && Files.isExecutable(Path.of(dir, "postgres"))) {
        return Path.of(dir);
      }
    }
    throw new IllegalStateException("PostgreSQL's initdb and postgres not found: install them with "
        + "`apt-get install postgresql` (CI's .ci/run does this), or set " + ENV_URL);
  }

  private static List<String> asPostgres(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void awaitReady() {
    long until = System.currentTimeMillis() + READY_TIMEOUT_MS;
    SQLException last = null;
    while (System.currentTimeMillis() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException("test PostgreSQL exited: " + log());
      }
      try (Connection c = DriverManager.getConnection(baseUrl + "postgres?user=" + user)) {
        return;
      } catch (SQLException e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    stop();
    throw new IllegalStateException("test PostgreSQL not ready in " + READY_TIMEOUT_MS + " ms: "
        + (last == null ? "" : last.getMessage()) + "; log: " + log());
  }

  private String log() {
    try {
      return Files.readString(folder.resolve("postgres.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** A fast shutdown (SIGINT to the postmaster), then its folder goes. */
  private void stop() {
    if (process == null) {
      return;
    }
    try {
      Path pidFile = folder.resolve("data/postmaster.pid");
      if (Files.exists(pidFile)) {
        String pid = Files.readAllLines(pidFile).get(0).trim();
        new ProcessBuilder("kill", "-INT", pid).start().waitFor(5, TimeUnit.SECONDS);
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      try (Stream<Path> files = Files.walk(folder)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }

}
