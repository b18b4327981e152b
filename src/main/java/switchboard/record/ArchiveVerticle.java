package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.store.StateStore;

/**
 * Writes chats into the record (issue 15): every {@value #BATCH_MS} ms, each chat this node changed
 * since (a message, an answer, its end; told on {@link Addresses#RECORD_CHAT}) is written as the
 * state store has it: the chat, its new messages and its timeline. On Redis the message path only
 * marks the chat, so it is no slower (Redis keeps the messages until the batch); where the state is
 * this node's memory, messages were journaled before their ack (see {@link MessageJournal}) and the
 * batch writes the chat and its timeline only. A batch that fails stays marked and is tried
 * again at the next tick, so a database away for a while loses nothing this node still runs;
 * writing twice is harmless (messages are kept by sequence number, the rest replaced).
 * Deployed only when the record is apart from the state store.
 */
public final class ArchiveVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ArchiveVerticle.class);
  static final long BATCH_MS = 500;
  /**
   * How long a chat that ended stays in the state store once the record holds it: a guest who
   * resumes or asks for the transcript by mail soon after still finds it there; after that every
   * read comes from the record, and the state store (memory, or Redis) does not grow for ever.
   */
  public static final Duration KEEP_ENDED = Duration.ofMinutes(10);
  /**
   * How often the state store is looked through for ended chats nobody wrote to the record: the
   * node that ended one died before its next batch (on Redis the chat outlives its node). Every
   * node looks; writing twice is harmless.
   */
  static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
  /** An ended chat still in the state store this long after it ended was stranded (see {@link #SWEEP_EVERY}). */
  static final Duration STRANDED_AFTER = KEEP_ENDED.plusMinutes(2);

  private final StateStore hot;
  private final RecordStore record;
  private final boolean withMessages;
  private final Duration keepEnded;
  private final Duration sweepEvery;
  private final Duration strandedAfter;
  private final Clock clock;
  /** Chats changed since their last write, in the order they changed. */
  private final Set<String> dirty = new LinkedHashSet<>();
  /** The last message sequence number written per chat still running here. */
  private final Map<String, Long> writtenUpTo = new HashMap<>();
  private MessageConsumer<String> changes;
  private long timer;
  private long sweepTimer;
  private boolean writing;
  private boolean failing;

  /** {@code withMessages}: false where each message is journaled before its ack (then only chats and timelines). */
  public ArchiveVerticle(StateStore hot, RecordStore record, boolean withMessages, Clock clock) {
    this(hot, record, withMessages, clock, KEEP_ENDED, SWEEP_EVERY, STRANDED_AFTER);
  }

  ArchiveVerticle(StateStore hot, RecordStore record, boolean withMessages, Clock clock, Duration keepEnded,
      Duration sweepEvery, Duration strandedAfter) {
    this.hot = hot;
    this.record = record;
    this.withMessages = withMessages;
    this.clock = clock;
    this.keepEnded = keepEnded;
    this.sweepEvery = sweepEvery;
    this.strandedAfter = strandedAfter;
  }

  @Override
  public Future<?> start() {
    changes = vertx.eventBus().localConsumer(Addresses.RECORD_CHAT, msg -> dirty.add(msg.body()));
    timer = vertx.setPeriodic(BATCH_MS, id -> flush());
    // nodes started together do not all look at once
    long first = sweepEvery.toMillis() / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, sweepEvery.toMillis() / 2));
    sweepTimer = vertx.setTimer(first, id -> sweepThenAgain());
    return changes.completion();
  }

  private void sweepThenAgain() {
    sweepStranded().onComplete(r -> sweepTimer = vertx.setTimer(sweepEvery.toMillis(), id -> sweepThenAgain()));
  }

  /** Marks the ended chats the state store still holds long after they ended: the next batch records them. */
  Future<Void> sweepStranded() {
    Instant now = clock.instant();
    Instant before = now.minus(strandedAfter);
    return hot.chatsCreatedBetween(Instant.EPOCH, now.plusSeconds(1)).map(chats -> {
      int found = 0;
      for (Chat chat : chats) {
        if (chat.state().isEnded() && chat.endedAt() != null && chat.endedAt().isBefore(before) && dirty.add(chat.id())) {
          found++;
        }
      }
      if (found > 0) {
        log.info("{} ended chats another node did not write to the record are written now", found);
      }
      return (Void) null;
    }).recover(e -> {
      log.debug("stranded chats not looked for: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** What is marked is written before the node stops (a clean stop loses nothing). */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(sweepTimer);
    return changes.unregister().compose(v -> writing ? Future.succeededFuture() : flush());
  }

  /** Writes every marked chat, one after another; answers when the batch is done. */
  Future<Void> flush() {
    if (writing || dirty.isEmpty()) {
      return Future.succeededFuture();
    }
    writing = true;
    List<String> batch = List.copyOf(dirty);
    dirty.clear();
    Future<Void> chain = Future.succeededFuture();
    int[] failed = {0};
    for (String chatId : batch) {
      chain = chain.compose(v -> write(chatId).recover(e -> {
        dirty.add(chatId); // tried again at the next tick
        if (failed[0]++ == 0 && !failing) {
          log.warn("chats not written to the record yet ({}); trying again every {} ms", e.getMessage(), BATCH_MS);
        }
        return Future.succeededFuture();
      }));
    }
    return chain.onComplete(r -> {
      writing = false;
      if (failed[0] == 0 && failing) {
        log.info("chats are written to the record again");
      }
      failing = failed[0] > 0;
    });
  }

  /**
   * The state store forgets the ended chat {@link #keepEnded} after it ended (at once when that has
   * passed: a stranded chat), unless it changed since (then the next write decides).
   */
  private void forgetLater(Chat chat) {
    String chatId = chat.id();
    long version = chat.version();
    long wait = chat.endedAt() == null ? keepEnded.toMillis()
        : Duration.between(clock.instant(), chat.endedAt().plus(keepEnded)).toMillis();
    vertx.setTimer(Math.max(1, wait), id -> hot.forgetEndedChat(chatId, version)
        .onFailure(e -> log.debug("chat {} not forgotten by the state store: {}", chatId, e.getMessage())));
  }

  private Future<Void> write(String chatId) {
    long after = writtenUpTo.getOrDefault(chatId, 0L);
    return hot.chat(chatId).compose(chat -> {
      if (chat == null) {
        writtenUpTo.remove(chatId);
        return Future.succeededFuture();
      }
      Future<List<ChatMessage>> messages = withMessages ? hot.messagesAfter(chatId, after)
          : Future.succeededFuture(List.of());
      return Future.all(messages, hot.chatEvents(chatId)).compose(all -> {
        List<ChatMessage> fresh = all.resultAt(0);
        List<ChatEvent> timeline = all.resultAt(1);
        return record.recordChat(chat, fresh, timeline).map(v -> {
          if (chat.state().isEnded()) {
            writtenUpTo.remove(chatId);
            forgetLater(chat);
          } else if (!fresh.isEmpty()) {
            writtenUpTo.put(chatId, fresh.get(fresh.size() - 1).seq());
          }
          return null;
        });
      });
    });
  }
}
