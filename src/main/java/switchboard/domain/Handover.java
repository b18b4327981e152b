package switchboard.domain;

/**
 * A transfer waiting to be accepted (issue 16): who handed the chat on and why, shown on the
 * offer the next operator gets. Cleared when someone accepts it.
 *
 * @param note what the transferring operator wrote for the next one, or null
 */
public record Handover(String by, String byName, String note) {}
