package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.Tokens;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.OfflineMessage;
import switchboard.stats.ChatFigures;
import switchboard.store.DirectoryDoc;

/**
 * The SQLite record of a node whose state is its memory, with acknowledged messages journaled to a
 * file first ({@link MessageFiles}) and put into the database in one transaction every
 * {@link #DRAIN_EVERY_MS} (issue 15: the message path must not get slower), as one row per running
 * chat holding the lines the journal wrote ({@link MessageChunk}): no message is encoded twice, and
 * the chat's end turns them into rows of messages. A message is safe from a
 * {@code kill -9} once {@link #recordMessages} succeeds, as it was with a SQLite commit per batch,
 * at a write's cost instead of a transaction's; the database gets a few large transactions a second
 * instead of one per batch.
 *
 * <p>Everything else reads and writes the database, after the messages journaled so far are in it,
 * so a chat that ends, a transcript, the archive, stats and an export see every acknowledged
 * message. The database keeps its own worker.
 *
 * <p>Where a batch is appended: on the caller's thread (routing's event loop) while appends are
 * quick, on the journal's own thread once they are not. An append copies a few hundred bytes into
 * the segment's mapping, the kernel's page cache, in a few microseconds: handing each batch to a
 * thread and its completion back cost more than that (12 % of a core at 10,000 messages a second, two
 * thread wake-ups per batch; the relay bench in docs/BENCHMARKS.md). It is still a call that a
 * stalled disk can hold, so every append on the caller is timed: after {@link #SLOW_APPENDS_IN_A_ROW}
 * in a row over {@link #SLOW_APPEND_MS} (one slow append alone may be a GC pause, which stops
 * every thread at once) the appends go to the journal's thread for {@link #ON_THREAD_FOR_MS}, where
 * messages that arrive during a slow write wait together for the next one, and the event loop
 * goes on with everything else. The drain and the caller's append take one lock, held for an
 * append, or for taking the lines appended since the last drain and where they end in the segment.
 * A drain starts a new segment only once the current one holds {@link MessageFiles#ROTATE_AT_BYTES}
 * (opened before the lock and the full one closed after, outside it), so the message path does not
 * create and delete a file every drain; the full segment is deleted once its lines are in the database.
 */
public final class FileJournaledRecord implements RecordStore {
  private static final Logger log = LoggerFactory.getLogger(FileJournaledRecord.class);
  /** How often journaled messages go into the database while messages arrive. */
  static final long DRAIN_EVERY_MS = 250;
  /** A burst this large goes into the database at once rather than at the next tick. */
  static final int DRAIN_AT_MESSAGES = 5_000;
  /** An append on the caller's thread slower than this was held by the disk (or a pause). */
  static final long SLOW_APPEND_MS = 5;
  /** This many slow appends in a row move the appends to the journal's thread. */
  static final int SLOW_APPENDS_IN_A_ROW = 3;
  /** How long appends stay on the journal's thread before the caller's is tried again. */
  static final long ON_THREAD_FOR_MS = 60_000;

  private final Vertx vertx;
  private final RecordStore database;
  private final WorkerExecutor fileThread;
  private final MessageFiles files;
  private final long timer;
  /** Messages appended to the files, and of those, how many are in the database. */
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong inDatabase = new AtomicLong();
  private Future<Void> drains = Future.succeededFuture();
  /** Whether {@link #drains} ends with a drain that has not started (guarded by this). */
  private boolean drainWaiting;
  private volatile boolean failing;
  /** Appends handed to the journal's thread and not done yet: the next append goes there too, in order. */
  private final AtomicInteger appendsOnThread = new AtomicInteger();
  /** {@link System#nanoTime} until which appends go to the journal's thread (0: not since start). */
  private volatile long onThreadUntil;
  private int slowInARow;
  /** Appends made on the caller's thread since the start (tests). */
  private final AtomicLong appendsOnCaller = new AtomicLong();
  private final long slowAppendNanos;

  /** Guards the files' current segment and {@link #undrained} (appends, the drain taking lines, rotation). */
  private final Object segmentLock = new Object();
  /** Lines appended since the drain last took them. */
  private List<MessageFiles.Appended> undrained = new ArrayList<>();
  private final long rotateAtBytes;

  // confined to the file thread
  /** Parts of segments taken by drains whose messages are not in the database yet, oldest first. */
  private final List<Taken> taken = new ArrayList<>();
  /** Where the current segment's next part to take starts. */
  private long takenTo;

  /**
   * The bytes {@code from}–{@code to} of a segment, taken by a drain, as lines (null after a failed
   * drain: read them from the file again); {@code lastOfSegment}: the segment is deleted once they are in the database.
   */
  private record Taken(Path segment, long from, long to, List<MessageFiles.Appended> lines, boolean lastOfSegment) {}

  /** Parts to go into the database, as one chunk per chat; journaled messages up to {@code upTo}. */
  private record Drain(List<Taken> parts, List<MessageChunk> chunks, long upTo) {}

  private FileJournaledRecord(Vertx vertx, RecordStore database, WorkerExecutor fileThread, MessageFiles files,
      long drainEveryMs, long slowAppendMs, long rotateAtBytes) {
    this.vertx = vertx;
    this.rotateAtBytes = rotateAtBytes;
    this.database = database;
    this.fileThread = fileThread;
    this.files = files;
    this.slowAppendNanos = TimeUnit.MILLISECONDS.toNanos(slowAppendMs);
    this.timer = drainEveryMs <= 0 ? -1 : vertx.setPeriodic(drainEveryMs, id -> drainPending());
  }

  /**
   * Journals {@code database}'s messages in {@code folder}, whose earlier segments {@link MessageFiles#replay}
   * put into the database when it was opened.
   */
  public static Future<RecordStore> open(Vertx vertx, RecordStore database, Path folder) {
    return open(vertx, database, folder, DRAIN_EVERY_MS);
  }

  /** {@code drainEveryMs} 0: only before other calls and at close (tests of a kill between the two). */
  static Future<RecordStore> open(Vertx vertx, RecordStore database, Path folder, long drainEveryMs) {
    return open(vertx, database, folder, drainEveryMs, SLOW_APPEND_MS);
  }

  /** {@code slowAppendMs}: what counts as a slow append on the caller's thread (tests of a slow disk). */
  static Future<RecordStore> open(Vertx vertx, RecordStore database, Path folder, long drainEveryMs,
      long slowAppendMs) {
    return open(vertx, database, folder, drainEveryMs, slowAppendMs, MessageFiles.ROTATE_AT_BYTES);
  }

  /** {@code rotateAtBytes}: the segment's size past which a drain starts the next (tests of rotation). */
  static Future<RecordStore> open(Vertx vertx, RecordStore database, Path folder, long drainEveryMs,
      long slowAppendMs, long rotateAtBytes) {
    WorkerExecutor fileThread = vertx.createSharedWorkerExecutor("switchboard-journal-" + Tokens.newId().substring(0, 8),
        1, 60, TimeUnit.SECONDS);
    return fileThread.executeBlocking(() -> MessageFiles.open(folder), false)
        .<RecordStore>map(files -> new FileJournaledRecord(vertx, database, fileThread, files, drainEveryMs,
            slowAppendMs, rotateAtBytes))
        .recover(e -> {
          fileThread.close();
          return Future.failedFuture(new IllegalStateException(
              "cannot journal messages in " + folder + ": " + e.getMessage(), e));
        });
  }

  /** Succeeds once the messages are in the journal's files (see the class comment for which thread writes). */
  @Override
  public Future<Void> recordMessages(List<RecordedMessage> messages) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Void> written = appendsOnThread.get() == 0 && !appendsBelongOnThread()
        ? appendHere(messages)
        : appendOnThread(messages);
    return written.andThen(done -> {
      if (done.succeeded() && appended.get() - inDatabase.get() >= DRAIN_AT_MESSAGES) {
        drainPending();
      }
    });
  }

  private boolean appendsBelongOnThread() {
    long until = onThreadUntil;
    if (until == 0) {
      return false;
    }
    if (System.nanoTime() - until < 0) {
      return true;
    }
    onThreadUntil = 0;
    log.info("trying the journal's appends on the caller's thread again");
    return false;
  }

  private Future<Void> appendHere(List<RecordedMessage> messages) {
    long started = System.nanoTime();
    try {
      append(messages);
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(e);
    }
    appendsOnCaller.incrementAndGet();
    long took = System.nanoTime() - started;
    if (took <= slowAppendNanos) {
      slowInARow = 0;
    } else if (++slowInARow >= SLOW_APPENDS_IN_A_ROW) {
      slowInARow = 0;
      onThreadUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ON_THREAD_FOR_MS);
      log.warn("the journal's appends are slow (the last {} took over {} ms each, the last {} ms): "
          + "written on the journal's own thread for the next {} s", SLOW_APPENDS_IN_A_ROW,
          TimeUnit.NANOSECONDS.toMillis(slowAppendNanos), TimeUnit.NANOSECONDS.toMillis(took), ON_THREAD_FOR_MS / 1000);
    }
    return Future.succeededFuture();
  }

  long appendsOnCaller() {
    return appendsOnCaller.get();
  }

  private Future<Void> appendOnThread(List<RecordedMessage> messages) {
    appendsOnThread.incrementAndGet();
    return fileThread.<Void>executeBlocking(() -> {
      append(messages);
      return null;
    }, false).andThen(done -> appendsOnThread.decrementAndGet());
  }

  private void append(List<RecordedMessage> messages) throws IOException {
    synchronized (segmentLock) {
      undrained.addAll(files.append(messages));
      appended.addAndGet(messages.size());
    }
  }

  private void drainPending() {
    if (appended.get() != inDatabase.get()) {
      inDatabaseNow().onComplete(done -> {
        if (done.failed() && !failing) {
          failing = true;
          log.warn("journaled messages cannot go into the record yet (they are safe in the journal's files): {}",
              done.cause().getMessage());
        } else if (done.succeeded() && failing) {
          failing = false;
          log.info("journaled messages go into the record again");
        }
      });
    }
  }

  /**
   * Succeeds once every message journaled before the call is in the database: a drain that has not
   * started yet takes them, so callers share it (a burst past {@link #DRAIN_AT_MESSAGES} queues one
   * drain, not a chain of empty ones, one per batch).
   */
  private Future<Void> inDatabaseNow() {
    if (appended.get() == inDatabase.get()) {
      return Future.succeededFuture();
    }
    synchronized (this) {
      if (!drainWaiting) {
        drainWaiting = true;
        drains = drains.transform(previous -> {
          synchronized (this) {
            drainWaiting = false;
          }
          return drainOnce();
        });
      }
      return drains;
    }
  }

  private Future<Void> drainOnce() {
    return fileThread.executeBlocking(() -> {
      // a full segment is followed by the next, opened (and the full one closed) outside the lock that appends take
      boolean full;
      synchronized (segmentLock) {
        full = files.written() >= rotateAtBytes; // only appends add to it
      }
      MessageFiles.Segment next = full ? files.openNext() : null;
      MessageFiles.Segment previous = null;
      long upTo;
      synchronized (segmentLock) {
        upTo = appended.get();
        Path segment = files.current();
        long to = files.written();
        if (to > takenTo) {
          taken.add(new Taken(segment, takenTo, to, undrained, next != null));
          undrained = new ArrayList<>();
          takenTo = to;
        } else if (next != null) {
          taken.add(new Taken(segment, to, to, List.of(), true));
        }
        if (next != null) {
          previous = files.switchTo(next);
          takenTo = 0;
        }
      }
      if (previous != null) {
        previous.close();
      }
      List<Taken> parts = new ArrayList<>(taken);
      List<MessageFiles.Appended> lines = new ArrayList<>();
      for (Taken t : parts) {
        lines.addAll(t.lines() != null ? t.lines() : MessageFiles.readAppended(t.segment(), t.from(), t.to()));
      }
      // the lines as the journal wrote them, grouped here rather than encoded again for the database
      return new Drain(parts, MessageChunk.of(lines), upTo);
    }, false).compose(drain -> {
      if (drain.parts().isEmpty()) {
        inDatabase.set(drain.upTo());
        return Future.succeededFuture();
      }
      return (drain.chunks().isEmpty() ? Future.<Void>succeededFuture() : database.recordChunks(drain.chunks()))
          .compose(v -> fileThread.<Void>executeBlocking(() -> {
            files.delete(drain.parts().stream().filter(Taken::lastOfSegment).map(Taken::segment).toList());
            taken.subList(0, drain.parts().size()).clear();
            inDatabase.set(drain.upTo());
            return null;
          }, false))
          .onFailure(e -> fileThread.executeBlocking(() -> {
            // not kept in memory while the database fails: read again from the files next time
            taken.replaceAll(t -> new Taken(t.segment(), t.from(), t.to(), null, t.lastOfSegment()));
            return null;
          }, false));
    });
  }

  /** {@code call} on the database once the messages journaled so far are in it. */
  private <T> Future<T> afterJournal(Supplier<Future<T>> call) {
    return inDatabaseNow().compose(v -> call.get());
  }

  @Override
  public Future<DirectoryDoc> directory() {
    return database.directory(); // the set-up does not depend on messages
  }

  @Override
  public Future<Boolean> replaceDirectory(long expectedVersion, DirectoryDoc next) {
    return database.replaceDirectory(expectedVersion, next);
  }

  @Override
  public Future<Void> putCannedResponse(CannedResponse response) {
    return database.putCannedResponse(response);
  }

  @Override
  public Future<Boolean> deleteCannedResponse(String id) {
    return database.deleteCannedResponse(id);
  }

  @Override
  public Future<List<CannedResponse>> cannedResponses() {
    return database.cannedResponses();
  }

  @Override
  public Future<Void> addOfflineMessage(OfflineMessage message) {
    return database.addOfflineMessage(message);
  }

  @Override
  public Future<List<OfflineMessage>> offlineMessages() {
    return database.offlineMessages();
  }

  @Override
  public Future<OfflineMessage> markOfflineMessageDone(String id, String operatorId, Instant at) {
    return database.markOfflineMessageDone(id, operatorId, at);
  }

  @Override
  public Future<Void> recordChat(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    return afterJournal(() -> database.recordChat(chat, messages, timeline));
  }

  @Override
  public Future<List<Chat>> chatsInFlight() {
    return afterJournal(database::chatsInFlight);
  }

  @Override
  public Future<List<RecordedMessage>> journal(String chatId) {
    return afterJournal(() -> database.journal(chatId));
  }

  @Override
  public Future<Chat> recordedChat(String chatId) {
    return afterJournal(() -> database.recordedChat(chatId));
  }

  @Override
  public Future<List<ChatMessage>> transcript(String chatId) {
    return afterJournal(() -> database.transcript(chatId));
  }

  @Override
  public Future<List<ChatEvent>> timeline(String chatId) {
    return afterJournal(() -> database.timeline(chatId));
  }

  @Override
  public Future<List<Chat>> chatsCreatedBetween(Instant from, Instant to) {
    return afterJournal(() -> database.chatsCreatedBetween(from, to));
  }

  @Override
  public Future<List<ChatFigures>> chatFigures(Instant from, Instant to, String recordedQueue) {
    return afterJournal(() -> database.chatFigures(from, to, recordedQueue));
  }

  @Override
  public Future<ArchivePage> searchArchive(ArchiveQuery query) {
    return afterJournal(() -> database.searchArchive(query));
  }

  @Override
  public Future<Integer> forgetTranscriptsEndedBefore(Instant cutoff) {
    return afterJournal(() -> database.forgetTranscriptsEndedBefore(cutoff));
  }

  @Override
  public Future<Void> audit(AuditEntry entry) {
    return database.audit(entry);
  }

  @Override
  public Future<List<AuditEntry>> auditLog(Instant from, Instant to) {
    return database.auditLog(from, to);
  }

  /** The database answers and journaled messages reach it. */
  @Override
  public Future<Void> ping() {
    return afterJournal(database::ping);
  }

  @Override
  public String describe() {
    return database.describe() + ", acknowledged messages journaled to files first";
  }

  /** Puts what is journaled into the database, then closes both. */
  @Override
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return inDatabaseNow()
        .onFailure(e -> log.warn("journaled messages stay in their files until the next start: {}", e.getMessage()))
        .transform(drained -> closeFiles(drained.succeeded()))
        .eventually(database::close);
  }

  /**
   * What a {@code kill -9} leaves (tests): the files as written, the lock released with the process,
   * nothing moved into the database. The database is left open for the caller to close.
   */
  Future<Void> abandon() {
    vertx.cancelTimer(timer);
    return closeFiles(false);
  }

  /** {@code allInDatabase}: the current segment's messages are all in the database, so it goes. */
  private Future<Void> closeFiles(boolean allInDatabase) {
    return fileThread.<Void>executeBlocking(() -> {
      synchronized (segmentLock) {
        files.close(allInDatabase && appended.get() == inDatabase.get());
      }
      return null;
    }, false).eventually(() -> {
      fileThread.close();
      return Future.succeededFuture();
    });
  }

  @Override
  public String toString() {
    return describe();
  }
}
