package switchboard.bus;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;

/** Server → client frames of the wire protocol (DESIGN §3), each encoded once. */
public final class Frames {
  private Frames() {}

  private static JsonObject frame(String type) {
    return new JsonObject().put("type", type);
  }

  public static String error(ErrorCode code, String message) {
    return frame("error").put("code", code.name()).put("message", message).encode();
  }

  // ---- to guests ----

  public static String started(String chatId, String token, String queue) {
    return frame("started").put("chatId", chatId).put("token", token).put("queue", queue).encode();
  }

  public static String queued(int position, Long estimatedWaitSeconds) {
    return frame("queued").put("position", position).put("estimatedWaitSeconds", estimatedWaitSeconds).encode();
  }

  /** {@code version}: the chat's stored version, so a socket can drop a frame that arrives after a newer one. */
  public static String joined(String operatorName, long version) {
    return frame("joined").put("operator", operatorName).put("version", version).encode();
  }

  /** Written by hand like {@link #messageToGuest} (one for every message; FramesTest holds it equal to a JsonObject's). */
  public static String guestAck(String clientId, long seq) {
    StringBuilder json = new StringBuilder(48 + (clientId == null ? 0 : clientId.length())).append(ACK_START);
    quotedOrNull(json, clientId);
    return json.append(",\"seq\":").append(seq).append('}').toString();
  }

  private static final String ACK_START = "{\"type\":\"ack\",\"clientId\":";

  public static String messageToGuest(ChatMessage m) {
    return messageJson(m).append('}').toString();
  }

  public static String typingToGuest(boolean typing) {
    return frame("typing").put("typing", typing).encode();
  }

  public static String closedToGuest(String by, long version) {
    return frame("closed").put("by", by).put("version", version).encode();
  }

  public static String resumed(Commands.GuestResumed r) {
    return frame("resumed").put("chatId", r.chatId()).put("state", r.state()).put("queue", r.queue())
        .put("operator", r.operatorName()).encode();
  }

  // ---- to operators ----

  /** {@code queue} is the queue the guest asked for (DESIGN §3); a transfer names who sent it. */
  public static String offer(Chat chat, String offeredOn) {
    JsonObject offer = frame("offer");
    if (chat.handover() != null) {
      // a transfer, to a named operator or a queue: who sent it and why
      offer.put("transferredBy", chat.handover().by()).put("transferredByName", chat.handover().byName())
          .put("transferNote", chat.handover().note());
    }
    return offer.put("chatId", chat.id()).put("version", chat.version()).put("queue", chat.recordedQueue())
        .put("offeredOn", offeredOn)
        .put("guest", new JsonObject().put("name", chat.guest().name()).put("page", chat.guest().page())
            .put("channel", chat.guest().channel()))
        .put("waitingSince", chat.waitingSince().toString()).put("question", chat.guest().question()).encode();
  }

  public static String offerWithdrawn(String chatId, long version, String reason) {
    return frame("offer_withdrawn").put("chatId", chatId).put("version", version).put("reason", reason).encode();
  }

  public static String accepted(Chat chat, List<ChatMessage> history, List<ChatEvent> timeline) {
    JsonArray messages = new JsonArray();
    history.forEach(m -> messages.add(new JsonObject(messageToGuest(m))));
    return frame("accepted").put("chatId", chat.id()).put("version", chat.version()).put("queue", chat.recordedQueue())
        .put("answeredQueue", chat.answeredQueue())
        .put("guest", new JsonObject().put("name", chat.guest().name()).put("email", chat.guest().email())
            .put("page", chat.guest().page()).put("channel", chat.guest().channel()))
        .put("history", messages).put("timeline", timelineJson(timeline)).encode();
  }

  public static String timeline(String chatId, ChatEvent event) {
    return frame("timeline").put("chatId", chatId).put("event", eventJson(event)).encode();
  }

  public static JsonArray timelineJson(List<ChatEvent> timeline) {
    JsonArray events = new JsonArray();
    timeline.forEach(e -> events.add(eventJson(e)));
    return events;
  }

  private static JsonObject eventJson(ChatEvent e) {
    JsonObject json = new JsonObject().put("at", iso(e.at())).put("kind", e.kind()).put("queue", e.queue())
        .put("operator", e.operator());
    return e.text() == null ? json : json.put("text", e.text());
  }

  /** What a console shows for a queue: whether it is open, who could take a chat, how many wait. */
  public static String queueStatus(String queue, boolean available, List<JsonObject> operators, int waiting) {
    return frame("queue_status").put("queue", queue).put("available", available)
        .put("operatorsAvailable", operators.size()).put("waiting", waiting)
        .put("operators", new JsonArray(operators)).encode();
  }

  public static String operatorAck(String chatId, String clientId, long seq) {
    return frame("ack").put("chatId", chatId).put("clientId", clientId).put("seq", seq).encode();
  }

  public static String messageToOperator(String chatId, ChatMessage m) {
    StringBuilder json = messageJson(m).append(CHAT_ID_FIELD);
    return quoted(json, chatId).append("\"}").toString();
  }

  public static String typingToOperator(String chatId, boolean typing) {
    return frame("typing").put("chatId", chatId).put("typing", typing).encode();
  }

  public static String closedToOperator(String chatId, long version, String by) {
    return frame("closed").put("chatId", chatId).put("version", version).put("by", by).encode();
  }

  public static String presence(String queue, boolean available) {
    return frame("presence").put("queue", queue).put("available", available).encode();
  }

  /** {@code awayAfterIdleSeconds}: the console sets its operator away when nobody touched it this long (0: never). */
  public static String ready(String operatorId, String name, String role, JsonArray queues, int awayAfterIdleSeconds) {
    return frame("ready").put("operator", new JsonObject().put("id", operatorId).put("name", name).put("role", role))
        .put("queues", queues).put("awayAfterIdleSeconds", awayAfterIdleSeconds).encode();
  }

  private static final String MESSAGE_START = "{\"type\":\"message\",\"seq\":";
  private static final String CHAT_ID_FIELD = ",\"chatId\":\"";

  /**
   * The seq of a frame made by {@link #messageToGuest} or {@link #messageToOperator} (which
   * start with type and seq), or -1 for any other frame: read without parsing the frame.
   */
  public static long messageSeq(String frame) {
    if (!frame.startsWith(MESSAGE_START)) {
      return -1;
    }
    int end = frame.indexOf(',', MESSAGE_START.length());
    try {
      return Long.parseLong(frame, MESSAGE_START.length(), end < 0 ? frame.length() : end, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The chat of a frame made by {@link #messageToOperator} (its last field), or null. */
  public static String messageChatId(String frame) {
    int at = frame.lastIndexOf(CHAT_ID_FIELD); // the text before it cannot hold an unescaped quote
    int from = at + CHAT_ID_FIELD.length();
    int end = at < 0 ? -1 : frame.indexOf('"', from);
    return end < 0 ? null : frame.substring(from, end);
  }

  /**
   * A message frame without its closing brace, written by hand: the frame every message of every chat
   * is sent as, built on routing's single event loop, where a {@link JsonObject} and its encoding
   * were a third of the message's time (relay bench, JFR). Same fields, order and escaping as
   * {@code frame("message").put("seq", …).put("from", …)[.put("name", …)].put("text", …).put("at", …).encode()}
   * (FramesTest holds them equal).
   */
  private static StringBuilder messageJson(ChatMessage m) {
    StringBuilder json = new StringBuilder(96 + m.text().length()).append(MESSAGE_START).append(m.seq());
    json.append(",\"from\":");
    quotedOrNull(json, m.from());
    if (m.name() != null) {
      quoted(json.append(",\"name\":\""), m.name()).append('"');
    }
    quoted(json.append(",\"text\":\""), m.text()).append('"');
    return json.append(",\"at\":\"").append(iso(m.at())).append('"');
  }

  private static void quotedOrNull(StringBuilder json, String text) {
    if (text == null) {
      json.append("null");
    } else {
      quoted(json.append('"'), text).append('"');
    }
  }

  /** {@code text} escaped as Jackson (and so {@link JsonObject#encode}) escapes it, without the quotes. */
  private static StringBuilder quoted(StringBuilder json, String text) {
    JsonStringEncoder.getInstance().quoteAsString(text, json);
    return json;
  }

  /** The date and time to the second of the last instant written, which the next message most likely shares. */
  private record Second(long epochSecond, String text) {}

  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: four-digit years, as {@link LocalDateTime} writes them too. */
  private static final long YEAR_0 = -62_167_219_200L;
  private static final long YEAR_9999_END = 253_402_300_799L;

  private static volatile Second lastSecond = new Second(0, "1970-01-01T00:00:00");

  /**
   * {@link Instant#toString()} (ISO-8601 in UTC, the fraction in groups of three digits as needed),
   * with the part up to the second formatted once per second: the general formatter was a sixth of
   * a message's time on routing's loop.
   */
  static String iso(Instant at) {
    if (at.getEpochSecond() < YEAR_0 || at.getEpochSecond() > YEAR_9999_END) {
      return at.toString(); // signs and wider years: the general formatter
    }
    Second second = lastSecond;
    if (second.epochSecond() != at.getEpochSecond()) {
      String text = LocalDateTime.ofEpochSecond(at.getEpochSecond(), 0, ZoneOffset.UTC).toString();
      if (text.length() == 16) { // LocalDateTime leaves out ":00" seconds
        text += ":00";
      }
      second = new Second(at.getEpochSecond(), text);
      lastSecond = second;
    }
    int nanos = at.getNano();
    StringBuilder iso = new StringBuilder(30).append(second.text());
    if (nanos != 0) {
      iso.append('.');
      if (nanos % 1_000_000 == 0) {
        appendDigits(iso, nanos / 1_000_000, 3);
      } else if (nanos % 1_000 == 0) {
        appendDigits(iso, nanos / 1_000, 6);
      } else {
        appendDigits(iso, nanos, 9);
      }
    }
    return iso.append('Z').toString();
  }

  private static void appendDigits(StringBuilder to, int value, int digits) {
    String text = Integer.toString(value);
    for (int i = text.length(); i < digits; i++) {
      to.append('0');
    }
    to.append(text);
  }
}
