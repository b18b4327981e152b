package switchboard.http;

/** A small SVG that says whether chat is open, for places that can show an image but run no script. */
final class Badge {
  private Badge() {}

  static String svg(String title, boolean open) {
    String label = escape(title.length() > 40 ? title.substring(0, 39) + "…" : title);
    String state = open ? "chat open" : "chat closed";
    String colour = open ? "#1a7f37" : "#6e7781";
    int labelWidth = 12 + 7 * label.length();
    int stateWidth = open ? 80 : 88;
    int width = labelWidth + stateWidth;
    return """
        <svg xmlns="http://www.w3.org/2000/svg" width="%d" height="24" role="img" aria-label="%s: %s">
          <title>%s: %s</title>
          <rect width="%d" height="24" rx="4" fill="#24292f"/>
          <rect x="%d" width="%d" height="24" rx="4" fill="%s"/>
          <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="12">
            <text x="6" y="16">%s</text>
            <text x="%d" y="16">%s</text>
          </g>
        </svg>
        """.formatted(width, label, state, label, state, width, labelWidth, stateWidth, colour, label,
        labelWidth + 8, state);
  }

  /** Text for an XML or SVG attribute or element. */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
