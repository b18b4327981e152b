package switchboard.bus;

/**
 * Every event bus address of a node, in one place. Commands are request/reply to the
 * verticle that owns them; events to sockets are published as ready-made JSON frames.
 */
public final class Addresses {
  private Addresses() {}

  // Routing verticle (owns chats: offers, accept, rollover timers, transfer, close).
  public static final String GUEST_START = "switchboard.routing.guest.start";
  public static final String GUEST_RESUME = "switchboard.routing.guest.resume";
  public static final String GUEST_MESSAGE = "switchboard.routing.guest.message";
  public static final String GUEST_TYPING = "switchboard.routing.guest.typing";
  public static final String GUEST_CLOSE = "switchboard.routing.guest.close";
  public static final String GUEST_DETACHED = "switchboard.routing.guest.detached";
  public static final String GUEST_RATE = "switchboard.routing.guest.rate";
  public static final String OPERATOR_RESOLVE = "switchboard.routing.operator.resolve";
  public static final String OPERATOR_NOTE = "switchboard.routing.operator.note";
  public static final String OPERATOR_ACCEPT = "switchboard.routing.operator.accept";
  public static final String OPERATOR_MESSAGE = "switchboard.routing.operator.message";
  public static final String OPERATOR_TYPING = "switchboard.routing.operator.typing";
  public static final String OPERATOR_TRANSFER = "switchboard.routing.operator.transfer";
  public static final String OPERATOR_CLOSE = "switchboard.routing.operator.close";
  public static final String OPERATOR_SYNC = "switchboard.routing.operator.sync";
  public static final String OPERATOR_MISSED = "switchboard.routing.operator.missed";
  /** {@link Commands.GuestCatchUp} → {@link Commands.GuestSnapshot}: an open guest socket missed relayed frames. */
  public static final String GUEST_CATCH_UP = "switchboard.routing.guest.catch-up";
  /** Published by presence when who can take chats changed; routing re-plans offers. */
  public static final String AVAILABILITY_CHANGED = "switchboard.routing.availability-changed";

  // SMS verticle (texting numbers): sends an operator's reply to the guest's phone.
  public static final String SMS_SEND = "switchboard.sms.send";
  public static final String SMS_INBOUND = "switchboard.sms.inbound";

  // Presence verticle (console connections, availability per queue).
  public static final String PRESENCE_CONNECTED = "switchboard.presence.connected";
  public static final String PRESENCE_DISCONNECTED = "switchboard.presence.disconnected";
  public static final String PRESENCE_SET = "switchboard.presence.set";

  /** Events every node hears (through the relay across nodes); bodies are strings. */
  public static final String NODE_EVENTS = "switchboard.nodes.";
  /** The queues-and-operators set-up changed in the store: reload it. Body: the new version. */
  public static final String DIRECTORY_CHANGED = NODE_EVENTS + "directory-changed";

  /**
   * Published on this node's bus when the store was found to have lost its data (restarted empty)
   * and the set-up was put back: each component puts back what this node holds (presence, open
   * consoles' sessions, guests) and guests of chats that no longer exist are told. Body: "".
   */
  public static final String STORE_RESET = "switchboard.store.reset";

  /**
   * Local: a chat this node changed (a message stored, an answer, its end) is written to the record
   * at the archive's next batch. Body: the chat id.
   */
  public static final String RECORD_CHAT = "switchboard.record.chat";

  /**
   * Published on this node's bus when the event relay subscribed again after losing Redis: frames
   * other nodes published meanwhile never reached this node's sockets, so each open socket catches
   * up from the store (a guest its chat's state and messages, a console a sync). Body: "".
   */
  public static final String RELAY_RECOVERED = "switchboard.relay.recovered";

  // Facts for metrics, published on the local bus (each node counts what it did).
  /** {@link Commands.SocketCount}: a socket of a kind opened (+1) or closed (-1). */
  public static final String METRICS_SOCKETS = "switchboard.metrics.sockets";
  /** {@link Commands.SocketClosed}: this node closed a socket for what its client did (see SocketGuard). */
  public static final String METRICS_SOCKETS_CLOSED = "switchboard.metrics.sockets-closed";
  /** {@link Commands.ChatStep}: a timeline step this node recorded. */
  public static final String METRICS_CHAT_STEPS = "switchboard.metrics.chat-steps";

  // Mail verticle (transcripts by email).
  /** {@link Commands.EmailTranscript}, replied to with {@link Commands.Done} once the SMTP server took the mail. */
  public static final String MAIL_TRANSCRIPT = "switchboard.mail.transcript";
  /** {@link Commands.SendMail} → {@link Commands.Done}: a librarian's answer or follow-up by email. */
  public static final String MAIL_SEND = "switchboard.mail.send";

  // Frames for sockets; the suffix is the chat id or the operator id.
  private static final String TO_GUEST = "switchboard.to-guest.";
  private static final String TO_OPERATOR = "switchboard.to-operator.";

  public static String toGuest(String chatId) {
    return TO_GUEST + chatId;
  }

  public static String toOperator(String operatorId) {
    return TO_OPERATOR + operatorId;
  }
}
