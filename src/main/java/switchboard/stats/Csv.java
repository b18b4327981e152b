package switchboard.stats;

import java.util.List;

/**
 * CSV as spreadsheets read it (RFC 4180), with a guard against formula injection: a field
 * that a spreadsheet would run (starting with = + - @, a tab or a carriage return) gets a
 * leading apostrophe, so a guest named "=HYPERLINK(…)" stays text.
 */
public final class Csv {
  private Csv() {}

  public static String write(List<String> header, List<List<Object>> rows) {
    StringBuilder out = new StringBuilder();
    line(out, List.copyOf(header));
    rows.forEach(r -> line(out, r));
    return out.toString();
  }

  private static void line(StringBuilder out, List<?> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(field(fields.get(i)));
    }
    out.append("\r\n");
  }

  static String field(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Number) {
      return value.toString();
    }
    String text = value.toString();
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
      text = "\"" + text.replace("\"", "\"\"") + "\"";
    }
    return text;
  }
}
