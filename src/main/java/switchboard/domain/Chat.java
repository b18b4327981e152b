package switchboard.domain;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A chat as kept in the state store. Immutable: every change is a new value with
 * {@code version + 1}, written with compare-and-set so nodes never overwrite each other.
 *
 * @param queue          the queue routing works from now: the asked queue, or a transfer's target
 * @param recordedQueue  the queue stats count the chat on (the asked queue)
 * @param answeredQueue  the queue of the operator who accepted, null until then
 * @param offeredQueues  queues the chat rings on, in chain order; grows when the rollover timer widens it
 * @param directOperator set while a transfer offers the chat to one named operator only
 * @param offeredTo      operators who see the offer right now
 * @param widenPending   the rollover deadline passed while no further queue was available:
 *                       widen as soon as one becomes available
 * @param transferredBy  the operator who last transferred the chat away: it does not ring for them again
 * @param rolloverDueAt  when the offer's newest stage (its newest queue, or a transfer to one operator) has
 *                       rung long enough: a rollover firing earlier is a duplicate and changes nothing
 * @param outcome        the guest's rating and the operator's resolution code (never null)
 * @param handover       a transfer not accepted yet: who sent it and why (null otherwise)
 */
public record Chat(
    String id,
    long version,
    Guest guest,
    String tokenHash,
    String queue,
    String recordedQueue,
    String answeredQueue,
    String operatorId,
    String operatorName,
    ChatState state,
    Instant createdAt,
    Instant waitingSince,
    Instant acceptedAt,
    Instant endedAt,
    String endedBy,
    List<String> offeredQueues,
    String directOperator,
    Set<String> offeredTo,
    boolean widenPending,
    String transferredBy,
    Instant rolloverDueAt,
    Outcome outcome,
    Handover handover) {

  public Chat {
    offeredQueues = offeredQueues == null ? List.of() : List.copyOf(offeredQueues);
    offeredTo = offeredTo == null ? Set.of() : Set.copyOf(offeredTo);
    outcome = outcome == null ? Outcome.NONE : outcome;
  }

  public static Chat newChat(String id, Guest guest, String tokenHash, String queue, Instant now) {
    return new Chat(id, 1, guest, tokenHash, queue, queue, null, null, null, ChatState.waiting,
        now, now, null, null, null, List.of(), null, Set.of(), false, null, null, Outcome.NONE, null);
  }

  public Builder edit() {
    return new Builder(this);
  }

  /** Copy-on-write editing: {@code chat.edit().state(active).build()} bumps the version. */
  public static final class Builder {
    private final Chat base;
    private String queue, answeredQueue, operatorId, operatorName, endedBy, directOperator;
    private ChatState state;
    private Instant waitingSince, acceptedAt, endedAt, rolloverDueAt;
    private List<String> offeredQueues;
    private Set<String> offeredTo;
    private boolean widenPending;
    private String transferredBy;
    private Outcome outcome;
    private Handover handover;

    private Builder(Chat c) {
      base = c;
      queue = c.queue; answeredQueue = c.answeredQueue; operatorId = c.operatorId;
      operatorName = c.operatorName; endedBy = c.endedBy; directOperator = c.directOperator;
      state = c.state; waitingSince = c.waitingSince; acceptedAt = c.acceptedAt; endedAt = c.endedAt;
      offeredQueues = c.offeredQueues; offeredTo = c.offeredTo; widenPending = c.widenPending;
      transferredBy = c.transferredBy; rolloverDueAt = c.rolloverDueAt; outcome = c.outcome;
      handover = c.handover;
    }

    public Builder queue(String v) { queue = v; return this; }
    public Builder answeredQueue(String v) { answeredQueue = v; return this; }
    public Builder operator(String id, String name) { operatorId = id; operatorName = name; return this; }
    public Builder state(ChatState v) { state = v; return this; }
    public Builder waitingSince(Instant v) { waitingSince = v; return this; }
    public Builder acceptedAt(Instant v) { acceptedAt = v; return this; }
    public Builder ended(Instant at, String by) { endedAt = at; endedBy = by; return this; }
    public Builder offeredQueues(List<String> v) { offeredQueues = v; return this; }
    public Builder directOperator(String v) { directOperator = v; return this; }
    public Builder offeredTo(Set<String> v) { offeredTo = v; return this; }
    public Builder widenPending(boolean v) { widenPending = v; return this; }
    public Builder transferredBy(String v) { transferredBy = v; return this; }
    public Builder rolloverDueAt(Instant v) { rolloverDueAt = v; return this; }
    public Builder outcome(Outcome v) { outcome = v; return this; }
    public Builder handover(Handover v) { handover = v; return this; }

    /** Back to the line with no offer out: used by transfer, a lost operator, a reroute. */
    public Builder backToWaiting() {
      return state(ChatState.waiting).operator(null, null).answeredQueue(null).acceptedAt(null)
          .offeredQueues(List.of()).directOperator(null).offeredTo(Set.of()).widenPending(false).rolloverDueAt(null);
    }

    public Chat build() {
      return new Chat(base.id, base.version + 1, base.guest, base.tokenHash, queue, base.recordedQueue,
          answeredQueue, operatorId, operatorName, state, base.createdAt, waitingSince, acceptedAt,
          endedAt, endedBy, offeredQueues, directOperator, offeredTo, widenPending, transferredBy, rolloverDueAt,
          outcome, handover);
    }
  }
}
