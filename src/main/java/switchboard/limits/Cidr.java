package switchboard.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range such as {@code 10.0.0.0/8} or {@code ::1/128} (a bare address is a range of one). */
public record Cidr(byte[] network, int bits) {

  /** Parses a range; fails with a message fit for "file: field: message" when it is not one. */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expected an address or a range such as 10.0.0.0/8, got an empty string");
    }
    String[] parts = text.strip().split("/", -1);
    InetAddress address = literal(parts[0]);
    if (address == null || parts.length > 2) {
      throw new IllegalArgumentException("expected an address or a range such as 10.0.0.0/8 or fd00::/8, got \""
          + text + "\"");
    }
    int max = address.getAddress().length * 8;
    int bits = max;
    if (parts.length == 2) {
      try {
        bits = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > max) {
        throw new IllegalArgumentException("the prefix length of \"" + text + "\" must be 0 to " + max);
      }
    }
    return new Cidr(address.getAddress(), bits);
  }

  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    if (candidate.length != network.length) {
      return false;
    }
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (candidate[full] & mask) == (network[full] & mask);
  }

  /** An address literal, never a name to look up; null when it is not one. */
  public static InetAddress literal(String text) {
    String s = text.strip();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.isEmpty() || s.length() > 64 || !s.matches("[0-9a-fA-F:.]+")) {
      return null;
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
