package switchboard.routing;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.store.StateStore;

/**
 * Every change to a chat goes through here: read, edit, compare-and-set in the store (retried
 * when another node or command came first), then announced ({@link ChatAnnouncer}) and handed to
 * {@code afterChange} (routing re-plans and re-announces the line).
 */
final class ChatTransitions {
  static final int MAX_CAS_TRIES = 20;
  static final String AT_CAPACITY = "you already hold as many chats as you may";
  /** Reasons a command gives for its change, recorded in the timeline before the derived steps. */
  static final BiFunction<Chat, Chat, List<ChatEvent>> NO_REASON = (before, after) -> List.of();

  private final StateStore store;
  private final ChatAnnouncer announcer;
  private final Clock clock;
  private final Consumer<Transition> afterChange;

  ChatTransitions(StateStore store, ChatAnnouncer announcer, Clock clock, Consumer<Transition> afterChange) {
    this.store = store;
    this.announcer = announcer;
    this.clock = clock;
    this.afterChange = afterChange;
  }

  Future<Transition> change(String chatId, Function<Chat, Chat> edit) {
    return change(chatId, null, Integer.MAX_VALUE, edit, NO_REASON);
  }

  Future<Transition> change(String chatId, Function<Chat, Chat> edit, BiFunction<Chat, Chat, List<ChatEvent>> why) {
    return change(chatId, null, Integer.MAX_VALUE, edit, why);
  }

  Future<Transition> change(String chatId, int capacity, Function<Chat, Chat> edit) {
    return change(chatId, null, capacity, edit, NO_REASON);
  }

  /**
   * Applies {@code edit} to the stored chat (or to {@code known}, a recent read, to save a round
   * trip) with compare-and-set, retrying on a concurrent change, then announces the result.
   * {@code edit} may throw a {@link ClientError} or return the chat unchanged.
   */
  Future<Transition> change(String chatId, Chat known, int capacity, Function<Chat, Chat> edit,
      BiFunction<Chat, Chat, List<ChatEvent>> why) {
    return attempt(chatId, known, capacity, edit, 1).onSuccess(t -> {
      announcer.announce(t.before(), t.after(), clock.instant(),
          t.before() == t.after() ? List.of() : why.apply(t.before(), t.after()));
      if (t.before() != t.after()) {
        afterChange.accept(t);
      }
    });
  }

  private Future<Transition> attempt(String chatId, Chat known, int capacity, Function<Chat, Chat> edit, int tries) {
    Future<Chat> current = known != null ? Future.succeededFuture(known) : store.chat(chatId);
    return current.compose(before -> {
      if (before == null) {
        return Future.failedFuture(new ClientError(ErrorCode.not_found, "no such chat"));
      }
      Chat after = edit.apply(before);
      if (after == before) {
        return Future.succeededFuture(new Transition(before, before));
      }
      return store.replaceChat(before, after, capacity).compose(result -> switch (result) {
        case REPLACED -> Future.succeededFuture(new Transition(before, after));
        case AT_CAPACITY -> Future.failedFuture(new ClientError(ErrorCode.forbidden, AT_CAPACITY));
        case STALE -> tries < MAX_CAS_TRIES ? attempt(chatId, null, capacity, edit, tries + 1)
            : Future.failedFuture(new IllegalStateException("chat " + chatId + " kept changing"));
      });
    });
  }
}
