package switchboard.routing;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.domain.Chat;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.domain.QueueConfig;
import switchboard.domain.ChatEvent;
import switchboard.record.RecordStore;
import switchboard.record.RecordedMessage;
import switchboard.store.StateStore;

/**
 * A one-node restart (also {@code kill -9}) puts the chats that were running back from the record
 * into the state store (this node's memory), with their messages (and the ids their clients gave
 * them, so a resend is not stored twice) and timelines: guests resume with their token, operators
 * find the chats they held when their console reconnects. Each guest gets the guest grace to come
 * back (an unanswered chat whose guest does not is abandoned, as any other); a held chat whose
 * operator does not come back gets the operator grace from routing's sweep.
 */
public final class ChatRestorer {
  private static final Logger log = LoggerFactory.getLogger(ChatRestorer.class);

  private ChatRestorer() {}

  /** Answers how many chats were put back. */
  public static Future<Integer> restore(StateStore store, RecordStore record, Directory directory, int guestGraceSeconds,
      Instant now) {
    return record.chatsInFlight().compose(chats -> {
      Future<Void> chain = Future.succeededFuture();
      for (Chat chat : chats) {
        chain = chain.compose(v -> putBack(store, record, chat, now.plusSeconds(guestGraceSeconds), maxWaitEnds(directory, chat)));
      }
      return chain.map(v -> {
        if (!chats.isEmpty()) {
          log.info("{} chats that were running are put back from the record; their guests have {} s to come back",
              chats.size(), guestGraceSeconds);
        }
        return chats.size();
      });
    });
  }

  /**
   * When an unanswered chat's wait ends by its queue's {@code maxWaitSeconds} (null: no limit, or
   * answered): the timer set at its start was in the memory that was lost. Past already, it fires
   * at once and the guest is told the chat ended.
   */
  private static Instant maxWaitEnds(Directory directory, Chat chat) {
    if (chat.state() != ChatState.waiting && chat.state() != ChatState.offered) {
      return null;
    }
    Integer seconds = directory.queue(chat.recordedQueue()).map(QueueConfig::maxWaitSeconds).orElse(null);
    return seconds == null ? null : chat.createdAt().plusSeconds(seconds);
  }

  private static Future<Void> putBack(StateStore store, RecordStore record, Chat chat, Instant graceEnds,
      Instant maxWaitEnds) {
    return store.chat(chat.id()).compose(existing -> {
      if (existing != null) {
        return Future.succeededFuture(); // the state store has it already
      }
      return Future.all(record.journal(chat.id()), record.timeline(chat.id())).compose(all -> {
        List<RecordedMessage> messages = all.resultAt(0);
        List<ChatEvent> timeline = all.resultAt(1);
        Future<?> chain = store.createChat(chat);
        for (RecordedMessage m : messages) {
          chain = chain.compose(v -> store.appendMessage(chat.id(), m.message().from(), m.message().name(),
              m.message().text(), m.message().at(), m.clientId()));
        }
        for (ChatEvent e : timeline) {
          chain = chain.compose(v -> store.appendChatEvent(chat.id(), e));
        }
        return chain.compose(v -> store.scheduleTimer(TimerKind.GUEST_GRACE.key(chat.id()), graceEnds))
            .compose(v -> maxWaitEnds == null ? Future.succeededFuture()
                : store.scheduleTimer(TimerKind.MAX_WAIT.key(chat.id()), maxWaitEnds));
      });
    });
  }
}
