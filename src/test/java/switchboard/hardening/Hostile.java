package switchboard.hardening;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of hostile input: text no parser expects, JSON of the wrong shape, values of the
 * wrong type, strings past every limit, nesting deeper than any parser allows. Every frame made
 * here is one the server must refuse with an error (none is a valid request), so a test can
 * expect exactly one {@code error} frame per frame sent.
 */
final class Hostile {
  private Hostile() {}

  /** Names the generators never use where a valid value would make a frame acceptable. */
  static final Set<String> REAL_NAMES = Set.of("ill", "general", "alice", "bob", "carol", "dave");

  static final List<String> NASTY = List.of("", " ", "\u0000", "\u202e", "\ud800", "\udfff", "\uffff", "\ufeff",
      "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\")", "../../etc/passwd",
      "%00", "%s%s%n", "${jndi:ldap://x/a}", "'; DROP TABLE chats; --", "null", "true", "0", "-1", "1e309",
      "NaN", "\r\n\r\nHTTP/1.1 200 OK", "🙂".repeat(20), "a".repeat(33), "\\", "\"");

  /** Any text: unicode of every plane, control characters, lone surrogates, and the classics above. */
  static Arbitrary<String> text(int maxLength) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.strings().all().ofMaxLength(maxLength)),
        net.jqwik.api.Tuple.of(2, Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(maxLength)),
        net.jqwik.api.Tuple.of(3, Arbitraries.of(NASTY)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().ascii().ofMinLength(maxLength).ofMaxLength(maxLength)));
  }

  /** A string longer than the field's limit. */
  static Arbitrary<String> tooLong(int limit) {
    return Arbitraries.integers().between(limit + 1, Math.max(limit + 1, limit * 2))
        .flatMap(n -> Arbitraries.strings().withCharRange('a', 'z').ofLength(n));
  }

  /** Any JSON value, nested a few levels. */
  static Arbitrary<Object> jsonValue(int depth) {
    Arbitrary<Object> scalar = Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.of(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE).map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(new java.math.BigDecimal("1e400"), new java.math.BigInteger("9".repeat(400)))
            .map(n -> (Object) n),
        text(40).map(s -> (Object) s));
    if (depth <= 0) {
      return scalar;
    }
    Arbitrary<Object> array = jsonValue(depth - 1).list().ofMaxSize(4).map(l -> (Object) new JsonArray(l));
    Arbitrary<Object> object = Arbitraries.maps(text(8), jsonValue(depth - 1)).ofMaxSize(4)
        .map(m -> (Object) new JsonObject(new java.util.LinkedHashMap<>(m)));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, scalar), net.jqwik.api.Tuple.of(1, array),
        net.jqwik.api.Tuple.of(1, object));
  }

  /** A value that is not a string (where the protocol wants one). */
  static Arbitrary<Object> notAString() {
    return jsonValue(2).filter(v -> v != null && !(v instanceof String));
  }

  /** Nesting far deeper than a parser allows (or just within), as arrays or objects. */
  static Arbitrary<String> deeplyNested() {
    return Combinators.combine(Arbitraries.integers().between(100, 10_000), Arbitraries.of(true, false))
        .as((depth, arrays) -> arrays ? "[".repeat(depth) + "]".repeat(depth)
            : "{\"type\":\"message\",\"text\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}");
  }

  /** Text that is not a JSON object: broken JSON, other JSON values, truncated frames. */
  static Arbitrary<String> notAnObject() {
    return Arbitraries.oneOf(
        text(200).filter(s -> !s.strip().startsWith("{")),
        jsonValue(3).filter(v -> !(v instanceof JsonObject)).map(v -> v instanceof JsonArray a ? a.encode()
            : new JsonArray().add(v).encode().replaceAll("^\\[|\\]$", "")),
        Arbitraries.of("{", "{\"type\":", "{\"type\":\"start\"", "{\"type\":\"message\",\"text\":\"\\uZZZZ\"}",
            "{'type':'start'}", "{type:start}", "{\"type\":\"start\",}", "{\"type\":\"a\"}}", "\u0000{}"),
        deeplyNested());
  }

  /** Objects whose {@code type} is missing, not a string, too long or unknown. */
  static Arbitrary<String> badType() {
    Arbitrary<Object> type = Arbitraries.oneOf(notAString(), tooLong(32).map(s -> (Object) s),
        text(20).filter(s -> !KNOWN_TYPES.contains(s)).map(s -> (Object) s));
    return Combinators.combine(type, Arbitraries.of(true, false), jsonValue(1))
        .as((t, present, extra) -> {
          JsonObject frame = new JsonObject().put("extra", extra);
          if (present) {
            frame.put("type", t);
          }
          return frame.encode();
        });
  }

  static final Set<String> KNOWN_TYPES = Set.of("start", "resume", "message", "typing", "close", "email_transcript",
      "auth", "availability", "accept", "transfer");

  /** A field value that makes a frame invalid: wrong type, too long, or absent (null). */
  static Arbitrary<Object> badString(int limit) {
    return Arbitraries.oneOf(notAString(), tooLong(limit).map(s -> (Object) s), Arbitraries.just(null));
  }

  /** A string that names nothing on the test node. */
  static Arbitrary<Object> unknownName() {
    return text(64).filter(s -> !s.isBlank() && !REAL_NAMES.contains(s.strip())).map(s -> (Object) s);
  }

  /** Frames a guest socket with no chat must refuse, every one. */
  static Arbitrary<String> guestFrameWithoutChat() {
    Arbitrary<String> start = Combinators.combine(Arbitraries.oneOf(badString(64), unknownName()),
            Arbitraries.oneOf(text(80).map(s -> (Object) s), notAString()), jsonValue(1), jsonValue(1))
        .as((queue, name, email, page) -> new JsonObject().put("type", "start").put("queue", queue).put("name", name)
            .put("email", email).put("page", page).encode());
    Arbitrary<String> resume = Combinators.combine(Arbitraries.oneOf(badString(64), unknownName()),
            Arbitraries.oneOf(badString(128), text(128).map(s -> (Object) s)), jsonValue(1))
        .as((id, token, lastSeq) -> new JsonObject().put("type", "resume").put("chatId", id).put("token", token)
            .put("lastSeq", lastSeq).encode());
    Arbitrary<String> noChatYet = Combinators.combine(
            Arbitraries.of("message", "typing", "close", "email_transcript"), jsonValue(1), jsonValue(1))
        .as((type, a, b) -> new JsonObject().put("type", type).put("text", a).put("typing", b).put("email", a)
            .put("clientId", b).encode());
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, notAnObject()), net.jqwik.api.Tuple.of(2, badType()),
        net.jqwik.api.Tuple.of(3, start), net.jqwik.api.Tuple.of(2, resume), net.jqwik.api.Tuple.of(2, noChatYet));
  }

  /** Frames a guest socket holding a chat must refuse (so it never resumes, which would drop its chat). */
  static Arbitrary<String> guestFrameInChat() {
    Arbitrary<String> message = Combinators.combine(badString(4096), jsonValue(1))
        .as((text, clientId) -> new JsonObject().put("type", "message").put("text", text).put("clientId", clientId)
            .encode())
        .filter(f -> !(new JsonObject(f).getValue("text") instanceof String t && t.length() <= 4096 && !t.isBlank()
            && (new JsonObject(f).getValue("clientId") == null
                || new JsonObject(f).getValue("clientId") instanceof String c && c.length() <= 64)));
    Arbitrary<String> typing = jsonValue(1).filter(v -> !(v instanceof Boolean))
        .map(v -> new JsonObject().put("type", "typing").put("typing", v).encode());
    Arbitrary<String> startAgain = jsonValue(1).map(q -> new JsonObject().put("type", "start").put("queue", q).encode());
    Arbitrary<String> email = jsonValue(1)
        .map(v -> new JsonObject().put("type", "email_transcript").put("email", v).encode());
    return Arbitraries.oneOf(notAnObject(), badType(), message, typing, startAgain, email);
  }

  /** Frames a signed-in operator (bob, staffing general only) must refuse, every one. */
  static Arbitrary<String> operatorFrame() {
    Arbitrary<String> availability = Combinators.combine(
            Arbitraries.oneOf(badString(64), unknownName(), Arbitraries.just("ill")), jsonValue(1))
        .as((queue, available) -> new JsonObject().put("type", "availability").put("queue", queue)
            .put("available", available).encode());
    Arbitrary<String> aboutAChat = Combinators.combine(
            Arbitraries.of("accept", "message", "transfer", "close", "typing"),
            Arbitraries.oneOf(badString(64), unknownName()), jsonValue(1), jsonValue(1))
        .as((type, chatId, a, b) -> new JsonObject().put("type", type).put("chatId", chatId).put("text", a)
            .put("typing", b).put("queue", a).put("operator", b).put("clientId", b).encode());
    Arbitrary<String> authAgain = text(64).map(t -> new JsonObject().put("type", "auth").put("token", t).encode());
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, notAnObject()), net.jqwik.api.Tuple.of(2, badType()),
        net.jqwik.api.Tuple.of(2, availability), net.jqwik.api.Tuple.of(4, aboutAChat),
        net.jqwik.api.Tuple.of(1, authAgain));
  }

  /** A first frame on an operator socket that is not a valid sign-in. */
  static Arbitrary<String> operatorFirstFrame() {
    Arbitrary<String> forged = Arbitraries.oneOf(text(300).map(s -> (Object) s), notAString(), Arbitraries.just(null))
        .map(t -> new JsonObject().put("type", "auth").put("token", t).encode());
    return Arbitraries.oneOf(notAnObject(), badType(), forged, operatorFrame());
  }

  static byte[] bytes(java.util.Random random, int max) {
    byte[] b = new byte[random.nextInt(max + 1)];
    random.nextBytes(b);
    return b;
  }
}
