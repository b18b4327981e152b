package switchboard.routing;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.eventbus.EventBus;
import switchboard.bus.Addresses;
import switchboard.bus.Commands.ChatStep;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.store.StateStore;

/**
 * Tells guests and operators what a stored change of a chat means for them, by comparing
 * the chat before and after. Every transition goes through here, so no path forgets to
 * withdraw an offer or tell the guest who joined.
 */
final class ChatAnnouncer {
  private static final Logger log = LoggerFactory.getLogger(ChatAnnouncer.class);
  private final Directory directory;
  private final EventRelay relay;
  private final StateStore store;
  private final EventBus bus;

  ChatAnnouncer(Directory directory, EventRelay relay, StateStore store, EventBus bus) {
    this.bus = bus;
    this.directory = directory;
    this.relay = relay;
    this.store = store;
  }

  /** {@code why}: steps the command that made the change names itself (a transfer, a return), recorded first. */
  void announce(Chat before, Chat after, Instant now, List<ChatEvent> why) {
    if (before == after) {
      return;
    }
    announceOffers(before, after);
    List<ChatEvent> steps = new ArrayList<>(why);
    steps.addAll(timelineSteps(before, after, now));
    Future<Void> recorded = recordTimeline(after, steps);
    boolean holderChanged = after.state() == ChatState.active
        && (before.state() != ChatState.active || !after.operatorId().equals(before.operatorId()));
    if (holderChanged) {
      log.info("chat {} accepted by {} on {} (asked {})", after.id(), after.operatorId(), after.answeredQueue(),
          after.recordedQueue());
      relay.toGuest(after.id(), Frames.joined(after.operatorName(), after.version()));
      // after the steps are stored, so the operator's timeline includes this acceptance
      recorded.compose(v -> acceptedFrame(after))
          .onSuccess(frame -> relay.toOperator(after.operatorId(), frame))
          .onFailure(e -> log.warn("chat {}: history for accept not read: {}", after.id(), e.getMessage()));
    } else if (after.state() == ChatState.active) {
      steps.forEach(step -> relay.toOperator(after.operatorId(), Frames.timeline(after.id(), step)));
    }
    if (before.state() == ChatState.active
        && (after.state() != ChatState.active || !before.operatorId().equals(after.operatorId()))) {
      // the operator it left (closed, transferred, returned) sees the step that took it away
      steps.forEach(step -> relay.toOperator(before.operatorId(), Frames.timeline(after.id(), step)));
    }
    if (before.state() == ChatState.active && !after.state().isEnded()
        && !before.operatorId().equals(after.operatorId())) {
      // moved away from its operator by a transfer or a lost connection
      relay.toOperator(before.operatorId(), Frames.offerWithdrawn(after.id(), after.version(), "transferred"));
    }
    if (holderChanged || after.state().isEnded() || before.operatorId() != null
        && !before.operatorId().equals(after.operatorId())) {
      // answered, handed on or ended: into the record once its timeline steps are stored
      recorded.onComplete(r -> bus.publish(Addresses.RECORD_CHAT, after.id()));
    }
    if (after.state().isEnded() && !before.state().isEnded()) {
      log.info("chat {} {} by {}", after.id(), after.state(), after.endedBy());
      relay.toGuest(after.id(), Frames.closedToGuest(after.endedBy(), after.version()));
      if (before.state() == ChatState.active) {
        relay.toOperator(before.operatorId(), Frames.closedToOperator(after.id(), after.version(), after.endedBy()));
      }
    }
  }

  /** The `accepted` frame with the history and timeline so far, for the winner or a reconnecting console. */
  Future<String> acceptedFrame(Chat chat) {
    return Future.all(store.messagesAfter(chat.id(), 0), store.chatEvents(chat.id()))
        .map(all -> Frames.accepted(chat, all.resultAt(0), all.resultAt(1)));
  }

  Future<Void> recordTimeline(Chat chat, List<ChatEvent> steps) {
    String chatId = chat.id();
    Future<Void> chain = Future.succeededFuture();
    for (ChatEvent step : steps) {
      chain = chain.compose(v -> store.appendChatEvent(chatId, step))
          .onSuccess(v -> bus.publish(Addresses.METRICS_CHAT_STEPS, new ChatStep(chatId, step, chat.waitingSince())));
    }
    return chain.onFailure(e -> log.warn("chat {}: timeline not recorded: {}", chatId, e.getMessage()));
  }

  /**
   * What the change means for the rollover timeline (DESIGN §2): the steps a report or
   * console shows. Transfers and returns are recorded by the command that makes them,
   * which knows which one it is.
   */
  static List<ChatEvent> timelineSteps(Chat before, Chat after, Instant now) {
    List<ChatEvent> steps = new ArrayList<>();
    List<String> was = before.offeredQueues();
    List<String> is = after.offeredQueues();
    if (after.state() == ChatState.offered && after.directOperator() == null) {
      if (was.isEmpty() && !is.isEmpty()) {
        steps.add(new ChatEvent(now, ChatEvent.OFFERED, is.get(0), null));
      } else if (is.size() > was.size() && is.subList(0, was.size()).equals(was)) {
        is.subList(was.size(), is.size()).forEach(q -> steps.add(new ChatEvent(now, ChatEvent.WIDENED, q, null)));
      }
    }
    boolean wasHeld = before.state() == ChatState.active;
    if (after.state() == ChatState.active && (!wasHeld || !after.operatorId().equals(before.operatorId()))) {
      steps.add(new ChatEvent(now, ChatEvent.ACCEPTED, after.answeredQueue(), after.operatorId()));
    }
    if (after.state().isEnded() && !before.state().isEnded()) {
      // operator: who ended it, when an operator did
      steps.add(new ChatEvent(now, after.state().name(), null,
          wasHeld && "operator".equals(after.endedBy()) ? before.operatorId() : null));
    }
    return steps;
  }

  private void announceOffers(Chat before, Chat after) {
    Set<String> wasOffered = before.state() == ChatState.offered ? before.offeredTo() : Set.of();
    Set<String> isOffered = after.state() == ChatState.offered ? after.offeredTo() : Set.of();
    for (String op : isOffered) {
      if (!wasOffered.contains(op)) {
        relay.toOperator(op, Frames.offer(after, offeredOn(after, op)));
      }
    }
    if (isOffered.size() > wasOffered.size() && !wasOffered.isEmpty()) {
      log.info("chat {} widened to {}", after.id(), after.offeredQueues());
    } else if (wasOffered.isEmpty() && !isOffered.isEmpty()) {
      log.info("chat {} offered on {} to {}", after.id(), after.offeredQueues(), isOffered);
    }
    Set<String> withdrawn = new HashSet<>(wasOffered);
    withdrawn.removeAll(isOffered);
    if (after.state() == ChatState.active) {
      withdrawn.remove(after.operatorId());
    }
    String reason = withdrawalReason(after);
    withdrawn.forEach(op -> relay.toOperator(op, Frames.offerWithdrawn(after.id(), after.version(), reason)));
  }

  private static String withdrawalReason(Chat after) {
    if (after.state() == ChatState.active) {
      return "accepted";
    }
    if (after.state().isEnded()) {
      return "abandoned";
    }
    return after.directOperator() != null ? "transferred" : "unavailable";
  }

  /** The first ringing queue the operator staffs; a direct transfer rings on the chat's queue. */
  String offeredOn(Chat chat, String operatorId) {
    if (operatorId.equals(chat.directOperator()) || chat.offeredQueues().isEmpty()) {
      return chat.queue();
    }
    return chat.offeredQueues().stream()
        .filter(q -> directory.operator(operatorId).map(o -> o.queues().contains(q)).orElse(false))
        .findFirst()
        .orElse(chat.offeredQueues().get(0));
  }
}
