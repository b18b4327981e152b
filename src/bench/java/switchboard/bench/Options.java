package switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} arguments of a scenario, with the defaults it asked for recorded, so
 * the report shows every parameter a run used and not only the ones given.
 */
public final class Options {
  private final Map<String, String> given = new LinkedHashMap<>();
  private final Map<String, String> used = new LinkedHashMap<>();

  public static Options parse(String... args) {
    Options o = new Options();
    for (String arg : args) {
      for (String word : arg.trim().split("\\s+")) {
        if (word.isEmpty()) {
          continue;
        }
        int eq = word.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("expected key=value, got \"" + word + "\"");
        }
        o.given.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    return o;
  }

  public Options with(String key, Object value) {
    given.put(key, String.valueOf(value));
    return this;
  }

  public String string(String key, String def) {
    String v = given.getOrDefault(key, def);
    used.put(key, v);
    return v;
  }

  public int integer(String key, int def) {
    return Integer.parseInt(string(key, String.valueOf(def)));
  }

  public double number(String key, double def) {
    return Double.parseDouble(string(key, String.valueOf(def)));
  }

  public boolean flag(String key, boolean def) {
    return Boolean.parseBoolean(string(key, String.valueOf(def)));
  }

  /** A comma-separated list. */
  public List<String> list(String key, String def) {
    List<String> out = new ArrayList<>();
    for (String s : string(key, def).split(",")) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out;
  }

  public List<Integer> integers(String key, String def) {
    return list(key, def).stream().map(Integer::parseInt).toList();
  }

  /** Every parameter read so far, with the value it had (given or default). */
  public Map<String, String> used() {
    return used;
  }

  /** Keys given on the command line that no scenario read: most likely a typo. */
  public List<String> unread() {
    return given.keySet().stream().filter(k -> !used.containsKey(k)).toList();
  }
}
