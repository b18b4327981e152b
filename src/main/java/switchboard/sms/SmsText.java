package switchboard.sms;

import java.util.ArrayList;
import java.util.List;

/** SMS length rules, and how texters are shown to operators. */
public final class SmsText {
  private SmsText() {}

  /** The GSM 03.38 basic alphabet (what fits 160 to a message); anything else makes it UCS-2 (70). */
  private static final String GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

  static boolean isGsm(String text) {
    return text.chars().allMatch(c -> GSM.indexOf(c) >= 0);
  }

  /**
   * Splits a reply into messages that each fit one SMS: 160 GSM characters (70 for other
   * alphabets), or 153 (67) per part when it takes several, cut at a space where one is near.
   */
  public static List<String> split(String text) {
    boolean gsm = isGsm(text);
    int single = gsm ? 160 : 70;
    if (text.codePointCount(0, text.length()) <= single) {
      return List.of(text);
    }
    int part = gsm ? 153 : 67;
    List<String> parts = new ArrayList<>();
    int[] cps = text.codePoints().toArray();
    int start = 0;
    while (start < cps.length) {
      int end = Math.min(cps.length, start + part);
      if (end < cps.length) {
        for (int i = end; i > start + part / 2; i--) {
          if (Character.isWhitespace(cps[i - 1])) {
            end = i;
            break;
          }
        }
      }
      parts.add(new String(cps, start, end - start).strip());
      start = end;
    }
    parts.removeIf(String::isEmpty);
    return parts;
  }

  /** "+15551234567" → "•••••••4567": enough for an operator to tell texters apart, not to call them. */
  public static String mask(String phone) {
    if (phone == null || phone.length() <= 4) {
      return "texter";
    }
    return "•".repeat(phone.length() - 4) + phone.substring(phone.length() - 4);
  }
}
