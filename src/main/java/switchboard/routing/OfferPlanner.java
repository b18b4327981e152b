package switchboard.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import switchboard.domain.Chat;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;

/**
 * Simple rollover (DESIGN §2) as pure functions: which queues an unanswered chat rings on
 * and which operators see it, given who is available. No I/O, so it is easy to test and
 * the same on every node.
 */
public final class OfferPlanner {
  private final Directory directory;

  public OfferPlanner(Directory directory) {
    this.directory = directory;
  }

  /**
   * @param chat          the re-planned chat (not yet stored)
   * @param rolloverDueAt when the rollover timer must fire next, or null to leave it as it is
   */
  public record Plan(Chat chat, Instant rolloverDueAt) {}

  /**
   * The rollover deadline passed: mark it so the next plan widens to the next available queue.
   * Idempotent: timers fire at least once, so a rollover firing again (or early, for a stage
   * already widened) before the chat's {@code rolloverDueAt} changes nothing and only names the
   * current deadline again, so its timer is set even if the write of the first firing's was lost.
   */
  public Plan widen(Chat chat, Availability availability, Instant now) {
    if (chat.state() == ChatState.waiting) {
      // nobody it rang for is there: its deadline is kept in the chat, and a plan widens an
      // overdue one the moment someone is back (which may be now: presence came back before a
      // re-plan noticed)
      return plan(chat, availability, now);
    }
    if (chat.state() != ChatState.offered) {
      return new Plan(chat, null);
    }
    if (chat.rolloverDueAt() != null && now.isBefore(chat.rolloverDueAt())) {
      return new Plan(chat, chat.rolloverDueAt());
    }
    if (chat.directOperator() != null) {
      // a transfer to one operator who did not answer in time falls back to the queue
      Chat cleared = chat.edit().directOperator(null).offeredQueues(List.of()).build();
      return plan(cleared, availability, now);
    }
    return plan(chat.edit().widenPending(true).build(), availability, now);
  }

  public Plan plan(Chat chat, Availability availability, Instant now) {
    if (!chat.state().isUnanswered()) {
      return new Plan(chat, null);
    }
    if (chat.directOperator() != null) {
      if (availability.canTakeMore(chat.directOperator())) {
        return new Plan(withOffers(chat, chat.offeredQueues(), Set.of(chat.directOperator()), false,
            chat.rolloverDueAt()), null);
      }
      chat = chat.edit().directOperator(null).offeredQueues(List.of()).build();
    }
    List<String> chain = directory.chain(chat.queue());
    // a queue counts only if it would ring someone: after a transfer, not the operator who
    // handed the chat on (else a chain whose only available operator is them stops there,
    // rings nobody and never rolls over)
    String handedOnBy = chat.transferredBy();
    Predicate<String> rings = q -> availability.operatorsOn(q).stream().anyMatch(op -> !op.equals(handedOnBy));
    List<String> offered = new ArrayList<>(chat.offeredQueues());
    boolean widenPending = chat.widenPending();
    Instant due = null;

    if (!offered.isEmpty() && offered.stream().noneMatch(rings)) {
      // everyone it rang for left: it rings from the top of the chain again once someone is back
      offered.clear();
    }
    if (offered.isEmpty()) {
      Optional<String> first = chain.stream().filter(rings).findFirst();
      if (first.isPresent()) {
        offered.add(first.get());
        // A chat keeps its rollover progress while nobody it rang for is there (a console's
        // reconnect, presence re-asserted after a store outage): a deadline still ahead is kept,
        // one that passed is not started again but widens at once (issue 14).
        Instant kept = chat.rolloverDueAt();
        boolean overdue = widenPending || (kept != null && !now.isBefore(kept));
        if (!overdue) {
          due = kept != null ? kept : now.plusSeconds(directory.rolloverAfterSeconds(first.get()));
          widenPending = false;
        } else {
          Optional<String> next = nextAvailable(chain, offered, rings);
          if (next.isPresent()) {
            offered.add(next.get());
            due = now.plusSeconds(directory.rolloverAfterSeconds(next.get()));
            widenPending = false;
          } else {
            widenPending = true; // widens the moment a later queue of the chain can take it
          }
        }
      }
    } else if (widenPending) {
      Optional<String> next = nextAvailable(chain, offered, rings);
      if (next.isPresent()) {
        offered.add(next.get());
        due = now.plusSeconds(directory.rolloverAfterSeconds(next.get()));
        widenPending = false;
      }
    }
    Set<String> recipients = new LinkedHashSet<>();
    offered.forEach(q -> recipients.addAll(availability.operatorsOn(q)));
    if (chat.transferredBy() != null) {
      recipients.remove(chat.transferredBy()); // who handed it on does not get it back
    }
    // while it waits with nobody to ring, the chat keeps its deadline: its progress through the chain
    Instant dueAt = due != null ? due : chat.rolloverDueAt();
    return new Plan(withOffers(chat, offered, recipients, widenPending, dueAt), due);
  }

  private Optional<String> nextAvailable(List<String> chain, List<String> offered, Predicate<String> rings) {
    int last = chain.indexOf(offered.get(offered.size() - 1));
    return chain.subList(last + 1, chain.size()).stream()
        .filter(q -> !offered.contains(q))
        .filter(rings)
        .findFirst();
  }

  private static Chat withOffers(Chat chat, List<String> offered, Set<String> recipients, boolean widenPending,
      Instant rolloverDueAt) {
    ChatState state = recipients.isEmpty() ? ChatState.waiting : ChatState.offered;
    if (state == chat.state() && offered.equals(chat.offeredQueues()) && recipients.equals(chat.offeredTo())
        && widenPending == chat.widenPending() && Objects.equals(rolloverDueAt, chat.rolloverDueAt())) {
      return chat;
    }
    return chat.edit().state(state).offeredQueues(recipients.isEmpty() ? List.of() : offered)
        .offeredTo(recipients).widenPending(widenPending).rolloverDueAt(rolloverDueAt).build();
  }
}
