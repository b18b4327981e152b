package switchboard;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.PasswordHasher;
import switchboard.config.AppConfig;
import switchboard.config.ConfigException;
import switchboard.config.ConfigLoader;
import switchboard.config.RecordSettings;
import switchboard.record.RecordTransfer;

import switchboard.config.FirstStartAdmin;
import switchboard.metrics.MetricsSetup;

/** Command line: start a node, or hash a password for the config file (DESIGN §5). */
public final class Main {
  private Main() {}

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  static final Path DEFAULT_CONFIG = Path.of("conf/config.json");
  static final String USAGE = """
      Usage:
        java -jar switchboard.jar [-conf FILE]    start a node (default: conf/config.json)
        java -jar switchboard.jar hash-password   read a password on standard input, print its hash
        java -jar switchboard.jar version                 print the version
        java -jar switchboard.jar export-record [-conf FILE] > record.jsonl
                                                  write the config's record (SQLite or PostgreSQL) as JSON lines
        java -jar switchboard.jar import-record [-conf FILE] < record.jsonl
                                                  read JSON lines into the config's record (SWITCHBOARD_RECORD_URL
                                                  may name another one: how a SQLite record moves to PostgreSQL)
      """;

  /** What the command line asks for; {@link #parse} returns null for anything it does not understand. */
  record Command(Kind kind, Path configFile) {
    enum Kind { START, HASH_PASSWORD, HELP, EXPORT_RECORD, IMPORT_RECORD, VERSION }

    static Command parse(String... args) {
      if (args.length == 0) {
        return new Command(Kind.START, DEFAULT_CONFIG);
      }
      if (args.length == 1) {
        return switch (args[0]) {
          case "hash-password" -> new Command(Kind.HASH_PASSWORD, null);
          case "export-record" -> new Command(Kind.EXPORT_RECORD, DEFAULT_CONFIG);
          case "import-record" -> new Command(Kind.IMPORT_RECORD, DEFAULT_CONFIG);
          case "-h", "-help", "--help", "help" -> new Command(Kind.HELP, null);
          case "version", "--version" -> new Command(Kind.VERSION, null);
          default -> null;
        };
      }
      if (args.length == 2 && (args[0].equals("-conf") || args[0].equals("--conf")) && !args[1].isBlank()) {
        return new Command(Kind.START, Path.of(args[1]));
      }
      if (args.length == 3 && (args[1].equals("-conf") || args[1].equals("--conf")) && !args[2].isBlank()) {
        return switch (args[0]) {
          case "export-record" -> new Command(Kind.EXPORT_RECORD, Path.of(args[2]));
          case "import-record" -> new Command(Kind.IMPORT_RECORD, Path.of(args[2]));
          default -> null;
        };
      }
      return null;
    }
  }

  public static void main(String[] args) {
    useUtf8Output();
    Command command = Command.parse(args);
    if (command == null) {
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    switch (command.kind()) {
      case HELP -> System.out.print(USAGE);
      case VERSION -> System.out.println("switchboard " + Version.current());
      case HASH_PASSWORD -> System.exit(hashPassword());
      case START -> start(command.configFile());
      case EXPORT_RECORD -> System.exit(transfer(command.configFile(), true));
      case IMPORT_RECORD -> System.exit(transfer(command.configFile(), false));
    }
  }

  /**
   * Messages carry queue names and "→" in cycle paths; with no locale set (a bare container,
   * a systemd unit) Java 17 would print them as "?". Logs and journals expect UTF-8 anyway.
   */
  private static void useUtf8Output() {
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
  }

  private static void start(Path configFile) {
    AppConfig config;
    try {
      config = ConfigLoader.load(configFile, System.getenv());
    } catch (ConfigException e) {
      // The host needs the file and field, not our stack.
      System.err.println("Configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    FirstStartAdmin.Result first = FirstStartAdmin.ensure(config);

    Vertx vertx = MetricsSetup.vertxWithMetrics(); // its HTTP, event bus and JVM metrics join GET /metrics
    AtomicReference<Switchboard> started = new AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started.get(), vertx), "switchboard-shutdown"));
    Switchboard node;
    try {
      // Block the main thread rather than exit from a callback: System.exit on an event-loop thread
      // would wait for the shutdown hook, which needs that event loop to close Vert.x.
      NodeIdConverter.set(first.config().nodeId());
      node = Switchboard.start(vertx, first.config()).toCompletionStage().toCompletableFuture().get();
      started.set(node);
    } catch (Exception e) {
      System.err.println("Start failed: " + describe(e));
      close(vertx);
      System.exit(1);
      return;
    }
    LOG.info("Switchboard node {} listening on http://localhost:{}/", first.config().nodeId(), node.port());
    if (first.oneTimePassword() != null && !node.seededSetUp()) {
      LOG.info("The record already holds the operators, so no one-time admin was made by this node (the admin"
          + " made at the first start signs in with the password printed then)");
    } else if (first.oneTimePassword() != null && LogFormatEncoder.jsonWanted()) {
      // JSON logs stay JSON from the first line to the last: the banner is one event
      LOG.info(banner(configFile, first.oneTimePassword()));
    } else if (first.oneTimePassword() != null) {
      System.out.print(banner(configFile, first.oneTimePassword()));
      System.out.flush();
    }
  }

  static String banner(Path configFile, String password) {
    String rule = "=".repeat(72);
    return rule + "\n"
        + "  No operator in " + configFile + " has a passwordHash, so an administrator\n"
        + "  account was created (kept in the record, like every admin change):\n\n"
        + "      username: " + FirstStartAdmin.ADMIN_ID + "\n"
        + "      password: " + password + "\n\n"
        + "  This password is shown once; set passwordHash for your operators in the\n"
        + "  config (hash-password) to stop this.\n"
        + rule + "\n";
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }

  /**
   * SIGTERM (systemd, docker stop): the node's verticles stop in reverse order of their start, so
   * sockets close while routing and presence still listen (their goodbyes are handled, and Vert.x
   * does not warn about messages for consumers already gone), then Vert.x closes.
   */
  private static void stop(Switchboard node, Vertx vertx) {
    if (node != null) {
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        System.err.println("Stopping the node: " + describe(e));
      }
    }
    close(vertx);
  }

  private static void close(Vertx vertx) {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Shutting down anyway; nothing useful to do with a failed close.
    }
  }

  /** export-record / import-record: the config's record (with the environment applied) to or from JSON lines. */
  private static int transfer(Path configFile, boolean export) {
    String name = export ? "export-record" : "import-record";
    RecordSettings record;
    try {
      record = ConfigLoader.load(configFile, System.getenv()).record();
    } catch (ConfigException e) {
      System.err.println("Configuration error: " + e.getMessage());
      return 2;
    }
    if (!record.kept()) {
      System.err.println(name + ": " + configFile + " keeps its record in the state store (record.url \"none\"):"
          + " name a database with record.url or SWITCHBOARD_RECORD_URL");
      return 2;
    }
    try {
      if (export) {
        PrintStream data = System.out;
        System.setOut(System.err); // logs (the console appender writes to whatever System.out is) stay off the data
        long rows = RecordTransfer.export(record, data);
        System.err.println(name + ": " + rows + " rows from " + record.redactedUrl());
      } else {
        long rows = RecordTransfer.importInto(record,
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        System.err.println(name + ": " + rows + " new rows into " + record.redactedUrl());
      }
      return 0;
    } catch (Exception e) {
      System.err.println(name + " failed: " + e.getMessage());
      return 1;
    }
  }

  private static int hashPassword() {
    char[] password = null;
    try {
      password = readPassword();
      if (password == null || password.length == 0) {
        System.err.println("hash-password: an empty password is refused");
        return 1;
      }
      System.out.println(PasswordHasher.hash(password));
      return 0;
    } catch (IOException e) {
      System.err.println("hash-password: cannot read the password: " + e.getMessage());
      return 1;
    } finally {
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
  }

  /** From the terminal without echo (asked twice, as a typo here locks the account out); else one line of stdin. */
  private static char[] readPassword() throws IOException {
    Console console = System.console();
    if (console == null) {
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return line == null ? null : line.toCharArray();
    }
    char[] first = console.readPassword("Password: ");
    if (first == null || first.length == 0) {
      return first;
    }
    char[] again = console.readPassword("Again: ");
    try {
      if (!Arrays.equals(first, again)) {
        Arrays.fill(first, '\0');
        throw new IOException("the two passwords differ");
      }
      return first;
    } finally {
      if (again != null) {
        Arrays.fill(again, '\0');
      }
    }
  }
}
