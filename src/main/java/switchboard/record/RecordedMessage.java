package switchboard.record;

import switchboard.domain.ChatMessage;

/** A message of a chat as the record keeps it, with the id its sender's client gave it (may be null). */
public record RecordedMessage(String chatId, ChatMessage message, String clientId) {}
