package switchboard.store;

import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;

/**
 * What {@link StateStore#appendToChat} did: the chat as it was when the message was (or was not)
 * appended, and the message stored ({@code null} unless {@link Outcome#APPENDED}).
 *
 * @param state the chat's state at the append ({@code null} for {@link Outcome#NO_CHAT})
 * @param operatorId who held the chat then ({@code null} when nobody did)
 * @param sms the guest writes by text message (DESIGN §8): replies go out through the provider
 */
public record ChatAppend(Outcome outcome, ChatState state, String operatorId, boolean sms, ChatMessage message) {

  public enum Outcome {
    APPENDED,
    /** No chat has that id. */
    NO_CHAT,
    /** The chat has ended: nothing appended. */
    ENDED,
    /** An operator's message to a chat they do not hold (any more): nothing appended. */
    NOT_HELD
  }

  public static ChatAppend refused(Outcome outcome, ChatState state) {
    return new ChatAppend(outcome, state, null, false, null);
  }
}
