package switchboard.routing;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.domain.Chat;
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

  ChatAnnouncer(Directory directory, EventRelay relay, StateStore store) {
    this.directory = directory;
    this.relay = relay;
    this.store = store;
  }

  void announce(Chat before, Chat after) {
    if (before == after) {
      return;
    }
    announceOffers(before, after);
    boolean holderChanged = after.state() == ChatState.active
        && (before.state() != ChatState.active || !after.operatorId().equals(before.operatorId()));
    if (holderChanged) {
      log.info("chat {} accepted by {} on {} (asked {})", after.id(), after.operatorId(), after.answeredQueue(),
          after.recordedQueue());
      relay.toGuest(after.id(), Frames.joined(after.operatorName()));
      store.messagesAfter(after.id(), 0)
          .onSuccess(history -> relay.toOperator(after.operatorId(), Frames.accepted(after, history)))
          .onFailure(e -> log.warn("chat {}: history for accept not read: {}", after.id(), e.getMessage()));
    }
    if (before.state() == ChatState.active && !after.state().isEnded()
        && !before.operatorId().equals(after.operatorId())) {
      // moved away from its operator by a transfer or a lost connection
      relay.toOperator(before.operatorId(), Frames.offerWithdrawn(after.id(), "transferred"));
    }
    if (after.state().isEnded() && !before.state().isEnded()) {
      log.info("chat {} {} by {}", after.id(), after.state(), after.endedBy());
      relay.toGuest(after.id(), Frames.closedToGuest(after.endedBy()));
      if (before.state() == ChatState.active) {
        relay.toOperator(before.operatorId(), Frames.closedToOperator(after.id(), after.endedBy()));
      }
    }
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
    withdrawn.forEach(op -> relay.toOperator(op, Frames.offerWithdrawn(after.id(), reason)));
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
