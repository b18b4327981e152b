package switchboard.bench;

/** Reading one field out of a server frame without parsing the whole of it. */
final class Frames {
  private Frames() {}

  /** The string value of {@code "field":"…"} (no escapes expected), or null. */
  static String field(String frame, String field) {
    String key = "\"" + field + "\":\"";
    int i = frame.indexOf(key);
    if (i < 0) {
      return null;
    }
    i += key.length();
    int end = frame.indexOf('"', i);
    return end < 0 ? null : frame.substring(i, end);
  }
}
