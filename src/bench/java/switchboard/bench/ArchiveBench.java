package switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import switchboard.config.RecordSettings;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Guest;
import switchboard.domain.Outcome;
import switchboard.record.ArchiveQuery;
import switchboard.record.JdbcRecordStore;
import switchboard.record.PostgresServer;
import switchboard.record.RecordStore;

/**
 * The transcript archive's search (issue 16): a record filled with {@code chats} ended chats
 * (default 100,000) of {@code messages} messages each, spread over a year, then each query of a
 * staff member's day timed {@code repeat} times after a warm-up. Target: under 200 ms.
 * {@code stores=sqlite,postgres}.
 */
final class ArchiveBench {
  private static final Instant YEAR_START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant YEAR_END = Instant.parse("2027-01-01T00:00:00Z");
  /** Words librarians type and search for; the rest of a message is drawn from a made-up vocabulary. */
  private static final String[] TOPICS = {"renew", "loan", "interlibrary", "maps", "thesis", "citation", "database",
      "password", "printing", "hours", "article", "journal", "borrow", "fine", "catalogue", "reserve"};

  private ArchiveBench() {}

  record Timed(String query, ArchiveQuery archiveQuery) {}

  static Path run(Options o) throws Exception {
    int chats = o.integer("chats", 100_000);
    int messages = o.integer("messages", 8);
    int repeat = o.integer("repeat", 20);
    List<String> stores = o.list("stores", "sqlite,postgres");
    Report report = new Report(o.string("name", "archive"), Path.of(o.string("out", "target/bench")));
    Vertx vertx = Vertx.vertx();
    List<List<String>> rows = new ArrayList<>();
    try {
      for (String store : stores) {
        RecordSettings where = store.equals("sqlite")
            ? new RecordSettings("jdbc:sqlite:" + Files.createTempDirectory("archive-bench").resolve("record.db"), null, null)
            : new RecordSettings(PostgresServer.newDatabase(), null, null);
        RecordStore record = await(JdbcRecordStore.open(vertx, where).map(r -> (RecordStore) r));
        long fillStart = System.nanoTime();
        fill(record, chats, messages, store.equals("sqlite") ? 1 : 8);
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        System.out.printf("%s: %d chats filled in %.1f s%n", store, chats, fillSeconds);
        if (o.flag("analyze", true)) {
          // what PostgreSQL's autovacuum does after a load, and SQLite's PRAGMA optimize
          try (Connection c = DriverManager.getConnection(where.url(), where.username(), where.password());
              Statement s = c.createStatement()) {
            s.execute("ANALYZE");
          }
        }
        JsonObject results = new JsonObject().put("fillSeconds", fillSeconds);
        for (Timed t : queries()) {
          for (int i = 0; i < 3; i++) {
            await(record.searchArchive(t.archiveQuery()));
          }
          long[] nanos = new long[repeat];
          int total = 0;
          for (int i = 0; i < repeat; i++) {
            long start = System.nanoTime();
            total = await(record.searchArchive(t.archiveQuery())).total();
            nanos[i] = System.nanoTime() - start;
          }
          Arrays.sort(nanos);
          double p50 = nanos[repeat / 2] / 1e6;
          double p95 = nanos[Math.min(repeat - 1, (int) Math.ceil(repeat * 0.95) - 1)] / 1e6;
          double max = nanos[repeat - 1] / 1e6;
          results.put(t.query(), new JsonObject().put("p50Ms", p50).put("p95Ms", p95).put("maxMs", max)
              .put("matches", total));
          rows.add(List.of(store, t.query(), String.format("%,d", total), String.format("%.1f", p50),
              String.format("%.1f", p95), String.format("%.1f", max)));
          System.out.printf("%s %-48s matches %7d  p50 %7.1f  p95 %7.1f  max %7.1f ms%n", store, t.query(), total,
              p50, p95, max);
        }
        report.results().put(store, results);
        await(record.close());
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    report.para(chats + " ended chats of " + messages + " messages each over 2026, five queues, twenty operators,"
        + " a third rated; each query timed " + repeat + " times after three warm-up runs, one at a time"
        + " (what a person waits for: the page of 50 and the count of all matches). Target: under 200 ms.");
    report.table(List.of("record", "query", "matches", "p50 ms", "p95 ms", "max ms"), rows);
    return report.write(o.used());
  }

  private static List<Timed> queries() {
    List<Timed> q = new ArrayList<>();
    q.add(new Timed("newest 50 of the year, no filter", query(null, null, null, null, "")));
    q.add(new Timed("one common word (renew)", query(null, null, null, null, "renew")));
    q.add(new Timed("two words (renew loan)", query(null, null, null, null, "renew loan")));
    q.add(new Timed("a rare word (zebrafish)", query(null, null, null, null, "zebrafish")));
    q.add(new Timed("queue q1, resolution referred", query("q1", null, null, "referred", "")));
    q.add(new Timed("an operator's own, with a word (thesis)", query(null, "op07", null, null, "thesis")));
    q.add(new Timed("rating 1", query(null, null, 1, null, "")));
    return q;
  }

  private static ArchiveQuery query(String queue, String operator, Integer rating, String resolution, String words) {
    return new ArchiveQuery(YEAR_START, YEAR_END, queue, operator, rating, resolution, ArchiveQuery.wordsOf(words),
        50, 0);
  }

  /** {@code lanes} chats written at once (PostgreSQL's pool; SQLite has one connection). */
  private static void fill(RecordStore record, int chats, int messages, int lanes) {
    SplittableRandom random = new SplittableRandom(42);
    String[] vocabulary = new String[3000];
    for (int i = 0; i < vocabulary.length; i++) {
      StringBuilder w = new StringBuilder();
      int length = 3 + random.nextInt(7);
      for (int j = 0; j < length; j++) {
        w.append((char) ('a' + random.nextInt(26)));
      }
      vocabulary[i] = w.toString();
    }
    long span = Duration.between(YEAR_START, YEAR_END).getSeconds();
    List<Future<Void>> inFlight = new ArrayList<>();
    for (int n = 0; n < chats; n++) {
      Instant at = YEAR_START.plusSeconds(random.nextLong(span - 3600));
      String queue = "q" + random.nextInt(5);
      String operator = String.format("op%02d", random.nextInt(20));
      Outcome outcome = new Outcome(random.nextInt(3) == 0 ? 1 + random.nextInt(5) : null, null,
          Outcome.RESOLUTIONS.get(random.nextInt(Outcome.RESOLUTIONS.size())), operator);
      Chat chat = Chat.newChat(String.format("chat-%07d", n), new Guest("Guest " + n, null, null), "h", queue, at)
          .edit().state(ChatState.closed).operator(operator, operator).answeredQueue(queue)
          .acceptedAt(at.plusSeconds(20)).ended(at.plusSeconds(600), "operator").outcome(outcome).build();
      List<ChatMessage> transcript = new ArrayList<>();
      for (int m = 1; m <= messages; m++) {
        StringBuilder text = new StringBuilder();
        int words = 6 + random.nextInt(14);
        for (int w = 0; w < words; w++) {
          if (w > 0) {
            text.append(' ');
          }
          text.append(random.nextInt(12) == 0 ? TOPICS[random.nextInt(TOPICS.length)]
              : vocabulary[(int) Math.min(vocabulary.length - 1, Math.abs(random.nextGaussian()) * 600)]);
        }
        if (n % 10_000 == 7 && m == 1) {
          text.append(" zebrafish");
        }
        transcript.add(new ChatMessage(m, m % 2 == 1 ? ChatMessage.FROM_GUEST : ChatMessage.FROM_OPERATOR,
            m % 2 == 1 ? "Guest" : operator, text.toString(), at.plusSeconds(20L + m * 30L)));
      }
      inFlight.add(record.recordChat(chat, transcript, List.of(new ChatEvent(at, ChatEvent.ASKED, queue, null))));
      if (inFlight.size() >= lanes * 4) {
        await(Future.all(inFlight));
        inFlight.clear();
      }
      if (n > 0 && n % 20_000 == 0) {
        System.out.printf("  %,d chats written%n", n);
      }
    }
    await(Future.all(inFlight));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
