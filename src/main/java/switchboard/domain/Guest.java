package switchboard.domain;

/** Who opened a chat, as they told us. */
public record Guest(String name, String email, String page) {}
