package switchboard.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import switchboard.domain.ChatMessage;

/**
 * The message frames are written by hand (they are built for every message on routing's single
 * loop): what a guest's box and an operator's console parse must be what a {@link JsonObject}
 * would have encoded, byte for byte, whatever the text holds.
 */
class FramesTest {
  private static final List<String> TEXTS = List.of("Is the map room open on Sunday?", "",
      "quotes \" and \\ backslashes \\\" mixed", "lines\nand\ttabs\r\n and \b\f", "control \u0000\u0001\u001f\u007f",
      "<script>alert('x')</script> & </b>", "accents é à ü, CJK 図書館, emoji 📚 \ud83d\ude00",
      "a lone surrogate \ud800 here", "unicode line separators \u2028 \u2029", "/slashes/ and {\"json\":1}");

  @Test
  void messageFramesAreWhatAJsonObjectEncodes() {
    Random random = new Random(7);
    for (String text : TEXTS) {
      for (String name : new String[] {null, "Alice \"the\" librarian", "Guest"}) {
        Instant at = Instant.ofEpochSecond(1_790_000_000L + random.nextInt(1_000_000), random.nextInt(1_000_000) * 1000L);
        ChatMessage m = new ChatMessage(1 + random.nextInt(5000), ChatMessage.FROM_GUEST, name, text, at);
        assertThat(Frames.messageToGuest(m)).isEqualTo(encoded(m).encode());
        assertThat(Frames.messageToOperator("chat-\"1\"", m)).isEqualTo(encoded(m).put("chatId", "chat-\"1\"").encode());
        String frame = Frames.messageToOperator("c1", m);
        if (!text.contains("\ud800")) { // a lone surrogate cannot survive UTF-8 either way
          assertThat(new JsonObject(frame).getString("text")).isEqualTo(text);
        }
        assertThat(Frames.messageSeq(frame)).isEqualTo(m.seq());
        assertThat(Frames.messageChatId(frame)).isEqualTo("c1");
      }
    }
  }

  @Test
  void acksAreWhatAJsonObjectEncodes() {
    for (String clientId : new String[] {null, "c-1", "quote\"and\\slash", "é\u0001\n"}) {
      for (long seq : new long[] {0, 1, 42, Long.MAX_VALUE}) {
        assertThat(Frames.guestAck(clientId, seq))
            .isEqualTo(new JsonObject().put("type", "ack").put("clientId", clientId).put("seq", seq).encode());
      }
    }
  }

  @Test
  void timesAreWrittenAsInstantWritesThem() {
    Random random = new Random(11);
    List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-12-07T02:25:00Z"),
        Instant.parse("2026-12-07T02:25:00.100Z"), Instant.parse("2026-12-07T02:25:59.000001Z"),
        Instant.parse("2026-12-07T23:59:59.999999999Z"), Instant.parse("0000-01-01T00:00:00Z"),
        Instant.parse("0999-03-04T05:06:07.080Z"), Instant.parse("9999-12-31T23:59:59.5Z"),
        Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59Z"), Instant.MIN, Instant.MAX));
    for (int i = 0; i < 20_000; i++) {
      long second = random.nextLong(-62_167_219_200L - 86_400L, 253_402_300_799L + 86_400L);
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      instants.add(Instant.ofEpochSecond(second, nanos));
      instants.add(Instant.ofEpochSecond(second, (nanos + 1) % 1_000_000_000)); // the same second again
    }
    for (Instant at : instants) {
      assertThat(Frames.iso(at)).as("%s", at).isEqualTo(at.toString());
    }
  }

  private static JsonObject encoded(ChatMessage m) {
    JsonObject json = new JsonObject().put("type", "message").put("seq", m.seq()).put("from", m.from());
    if (m.name() != null) {
      json.put("name", m.name());
    }
    return json.put("text", m.text()).put("at", m.at().toString());
  }
}
