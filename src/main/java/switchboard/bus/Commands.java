package switchboard.bus;

import java.util.List;
import switchboard.domain.ChatMessage;

/** The message shapes sent over the event bus, as records (passed by reference, see {@link LocalCodec}). */
public final class Commands {
  private Commands() {}

  /**
   * {@code phone} and {@code channel} are set for a chat opened by a text message; {@code socketId}
   * names the guest's socket (null for a text chat, which has none).
   */
  /**
   * {@code name} null when the guest gave none; {@code question} (with the client's id for it) is
   * asked before the chat starts and becomes its first message.
   */
  public record GuestStart(String chatId, String queue, String name, String email, String page, String phone,
      String channel, String socketId, String question, String questionClientId) {
    public GuestStart(String chatId, String queue, String name, String email, String page, String phone,
        String channel, String socketId) {
      this(chatId, queue, name, email, page, phone, channel, socketId, null, null);
    }

    public GuestStart(String chatId, String queue, String name, String email, String page, String socketId) {
      this(chatId, queue, name, email, page, null, switchboard.domain.Guest.WEB, socketId);
    }
  }

  /** A text that arrived on one of our numbers (already checked to come from the provider). */
  public record SmsInbound(String to, String from, String body, String messageSid) {}

  /** An operator's message to a guest who texts: goes out through the number's SMS provider. */
  public record SmsSend(String chatId, String operatorId, String phone, String queue, String text, long seq) {}

  /** {@code question}: the ack of the question stored as the first message, or null. */
  public record GuestStarted(String chatId, String token, String queue, Ack question) {}

  public record GuestResume(String chatId, String token, long lastSeq, String socketId) {}

  /** What a resuming guest missed, and where the chat stands. */
  public record GuestResumed(String chatId, String state, String queue, String operatorName, List<ChatMessage> missed) {}

  public record GuestMessage(String chatId, String text, String clientId) {}

  public record Ack(String chatId, String clientId, long seq) {}

  public record GuestTyping(String chatId, boolean typing) {}

  public record GuestClose(String chatId) {}

  /**
   * The guest socket left the chat (closed, or moved to another chat). Sent only once the socket's
   * start or resume was answered, so it never overtakes the attach it undoes.
   */
  public record GuestDetached(String chatId, String socketId) {}

  public record OperatorAccept(String operatorId, String chatId) {}

  public record OperatorMessage(String operatorId, String chatId, String text, String clientId) {}

  public record OperatorTyping(String operatorId, String chatId, boolean typing) {}

  /** Exactly one of {@code queue} and {@code targetOperator} is set. */
  /** {@code note}: what the next operator should know (shown on their offer), or null. */
  public record OperatorTransfer(String operatorId, String chatId, String queue, String targetOperator, String note) {
    public OperatorTransfer(String operatorId, String chatId, String queue, String targetOperator) {
      this(operatorId, chatId, queue, targetOperator, null);
    }
  }

  /** An internal note on a chat: staff only, never sent to the guest. */
  public record OperatorNote(String operatorId, String chatId, String text) {}

  /** {@code resolution}: the resolution code the operator chose as they closed it, or null. */
  public record OperatorClose(String operatorId, String chatId, String resolution) {
    public OperatorClose(String operatorId, String chatId) {
      this(operatorId, chatId, null);
    }
  }

  /** The operator who held the chat sets (or changes) its resolution code, during it or after. */
  public record OperatorResolve(String operatorId, String chatId, String resolution) {}

  /** The guest rates the chat once it has ended, where its queue asks (issue 16). */
  public record GuestRate(String chatId, int rating, String comment) {}

  /** Asks routing to send a (re)connected console the chats it holds and the offers it should see. */
  public record OperatorSync(String operatorId) {}

  /**
   * A console was acked its operator's message at a seq below which it has not been sent every
   * message of the chat: the chat's messages after {@code afterSeq} (the operator must hold it).
   */
  public record OperatorMissed(String operatorId, String chatId, long afterSeq) {}

  /** The answer to {@link OperatorMissed}: every kind of message, so the console knows the seqs it need not wait for. */
  public record MissedMessages(List<ChatMessage> messages) {}

  /** An open guest socket missed relayed frames: where its chat stands, and its messages after {@code afterSeq}. */
  public record GuestCatchUp(String chatId, long afterSeq) {}

  /** The answer to {@link GuestCatchUp}: the chat's state, holder and stored version, and the messages. */
  public record GuestSnapshot(String chatId, String state, String operatorName, long version, String endedBy,
      List<ChatMessage> missed) {}

  /** Frames a (re)connected console needs: `accepted` for chats held, `offer` for chats ringing for it. */
  public record SyncFrames(List<String> frames) {}

  public record PresenceConnected(String operatorId, String connectionId) {}

  public record PresenceDisconnected(String operatorId, String connectionId) {}

  /** The queues an operator is available on, as presence knows it. */
  public record ChosenQueues(java.util.Set<String> queues) {}

  public record PresenceSet(String operatorId, String queue, boolean available) {}

  public record AvailabilityChanged(String operatorId, boolean connected) {}

  /** {@code kind} is "guest" or "operator". */
  public record SocketCount(String kind, int delta) {}

  /** A socket of a kind ({@code guest}, {@code operator}) closed by the node, and why (a metric tag). */
  public record SocketClosed(String kind, String reason) {}

  /** A step of a chat's timeline, with when the chat started waiting (for accept latency). */
  public record ChatStep(String chatId, switchboard.domain.ChatEvent event, java.time.Instant waitingSince) {}

  /**
   * Mail a chat's transcript to {@code to}. {@code operatorId} null: the chat's guest asks (after the
   * chat ended, a few times per chat and per client); otherwise an operator already allowed to read
   * the chat. {@code client}: what per-client limits count the guest as (null: not counted).
   */
  public record EmailTranscript(String chatId, String to, String operatorId, String client) {}

  /** A mail a librarian wrote (a follow-up), sent as it is; {@code about} names it in the log. */
  public record SendMail(String to, String subject, String body, String about) {}

  /** A command that needs no reply payload gets this. */
  public record Done() {
    public static final Done INSTANCE = new Done();
  }
}
