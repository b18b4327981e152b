package switchboard.domain;

/**
 * A ready-made reply an operator inserts with {@code /shortcut}: a queue's (shared by its
 * operators) when {@code queue} is set, else one operator's own ({@code owner}).
 */
public record CannedResponse(String id, String queue, String owner, String shortcut, String text) {}
