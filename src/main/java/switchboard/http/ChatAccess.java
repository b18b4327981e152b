package switchboard.http;

import java.util.List;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.OperatorConfig;

/** Who may read a chat, mail it or follow it up: its holder now, anyone who held it before, or an admin. */
final class ChatAccess {
  private ChatAccess() {}

  static void requireHeldOrAdmin(OperatorConfig op, Chat chat, List<ChatEvent> timeline, String refusal) {
    boolean heldIt = op.id().equals(chat.operatorId()) || timeline.stream()
        .anyMatch(e -> ChatEvent.ACCEPTED.equals(e.kind()) && op.id().equals(e.operator()));
    if (!op.isAdmin() && !heldIt) {
      throw new ClientError(ErrorCode.forbidden, refusal);
    }
  }
}
