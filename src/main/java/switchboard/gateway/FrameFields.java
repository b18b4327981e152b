package switchboard.gateway;

import io.vertx.core.json.JsonObject;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;

/** Reads client frames strictly: a missing or wrong-typed field is a bad_request naming it. */
final class FrameFields {
  private FrameFields() {}

  static JsonObject parse(String text) {
    try {
      Object value = io.vertx.core.json.Json.decodeValue(text);
      if (value instanceof JsonObject json) {
        return json;
      }
    } catch (RuntimeException e) {
      throw new ClientError(ErrorCode.bad_request, "frames must be JSON objects");
    }
    throw new ClientError(ErrorCode.bad_request, "frames must be JSON objects");
  }

  static String type(JsonObject frame) {
    return requiredString(frame, "type", 32);
  }

  static String requiredString(JsonObject frame, String field, int maxLength) {
    String value = optionalString(frame, field, maxLength);
    if (value == null || value.isBlank()) {
      throw new ClientError(ErrorCode.bad_request, "\"" + field + "\" is required");
    }
    return value;
  }

  static String optionalString(JsonObject frame, String field, int maxLength) {
    Object value = frame.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw new ClientError(ErrorCode.bad_request, "\"" + field + "\" must be a string");
    }
    if (s.length() > maxLength) {
      throw new ClientError(ErrorCode.too_large, "\"" + field + "\" is longer than " + maxLength + " characters");
    }
    return s;
  }

  static boolean requiredBoolean(JsonObject frame, String field) {
    Object value = frame.getValue(field);
    if (!(value instanceof Boolean b)) {
      throw new ClientError(ErrorCode.bad_request, "\"" + field + "\" must be true or false");
    }
    return b;
  }

  /** A whole number from {@code min} to {@code max}. */
  static int requiredInt(JsonObject frame, String field, int min, int max) {
    Object value = frame.getValue(field);
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min
        || n.longValue() > max) {
      throw new ClientError(ErrorCode.bad_request, "\"" + field + "\" must be a whole number from " + min + " to " + max);
    }
    return n.intValue();
  }

  static long optionalLong(JsonObject frame, String field, long fallback) {
    Object value = frame.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.longValue() < 0) {
      throw new ClientError(ErrorCode.bad_request, "\"" + field + "\" must be a number of 0 or more");
    }
    return n.longValue();
  }
}
