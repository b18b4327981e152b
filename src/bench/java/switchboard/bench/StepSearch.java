package switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The highest relay rate each target holds with p99 under a limit (10 ms), no loss and no error: steps up
 * the given rates (targets interleaved at each rate, so a burst of someone else's load on the
 * shared machine hits them alike), confirms a failed step once, then bisects between the last
 * rate held and the first one missed.
 */
final class StepSearch {
  private StepSearch() {}

  /** {@code limitMs}: a step holds when its p99 is under this (10 ms: the bar). */
  record Settings(List<Integer> rates, int refine, boolean confirm, RelayLoad.Timing timing, int payload,
      Quiet quiet, double limitMs) {}

  /** target name → {steps:[…], highestRate, firstMissedRate}. */
  static Map<String, JsonObject> run(Clients clients, List<RelayTarget> targets, Settings s) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    List<RelayTarget> running = new ArrayList<>(targets);
    for (RelayTarget t : targets) {
      out.put(t.name(), new JsonObject().put("description", t.description()).put("steps", new JsonArray())
          .put("highestRate", 0).putNull("firstMissedRate"));
    }
    for (int rate : s.rates()) {
      for (RelayTarget t : List.copyOf(running)) {
        if (!step(clients, t, rate, s, out.get(t.name()))) {
          running.remove(t);
        }
      }
      if (running.isEmpty()) {
        break;
      }
    }
    for (RelayTarget t : targets) {
      JsonObject r = out.get(t.name());
      Integer missed = r.getInteger("firstMissedRate");
      int lo = r.getInteger("highestRate");
      if (missed == null) {
        continue;
      }
      int hi = missed;
      for (int k = 0; k < s.refine(); k++) {
        int grain = hi - lo >= 4000 ? 500 : hi - lo >= 1000 ? 250 : 50;
        int mid = (int) Math.round((lo + hi) / 2.0 / grain) * grain;
        if (mid <= lo || mid >= hi) {
          break;
        }
        if (step(clients, t, mid, s, r)) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
    }
    return out;
  }

  /** Runs (and, if it fails, re-runs once) one rate; records it; returns whether it held. */
  private static boolean step(Clients clients, RelayTarget t, int rate, Settings s, JsonObject record) {
    JsonObject r = once(clients, t, rate, s);
    record.getJsonArray("steps").add(r);
    if (!r.getBoolean("held") && s.confirm()) {
      JsonObject again = once(clients, t, rate, s).put("confirmation", true);
      record.getJsonArray("steps").add(again);
      r = again;
    }
    boolean held = r.getBoolean("held");
    if (held) {
      record.put("highestRate", Math.max(record.getInteger("highestRate"), rate));
    } else {
      Integer missed = record.getInteger("firstMissedRate");
      record.put("firstMissedRate", missed == null ? rate : Math.min(missed, rate));
    }
    return held;
  }

  /** A few seconds of load, not reported, so the JIT has compiled the paths before anything counts. */
  static void jitWarmup(Clients clients, RelayTarget t, double seconds, int payload) {
    if (seconds > 0) {
      RelayLoad.run(clients, t, 2_000, new RelayLoad.Timing(seconds, 0.5, 0.5, 10), payload, 10);
    }
  }

  /**
   * One step; run again (up to the quiet settings' retries) while other processes took more CPU
   * than allowed during it. The least disturbed attempt counts; the others are kept in the JSON.
   */
  static JsonObject once(Clients clients, RelayTarget t, double rate, Settings s) {
    JsonObject best = null;
    JsonArray disturbed = new JsonArray();
    for (int attempt = 0; attempt <= s.quiet().retries(); attempt++) {
      System.gc(); // each step starts from a collected heap, so one step's garbage does not bill the next
      s.quiet().await();
      JsonObject r = RelayLoad.run(clients, t, rate, s.timing(), s.payload(), s.limitMs());
      print(t, rate, r);
      if (!s.quiet().disturbed(r.getJsonObject("cpu"))) {
        best = r;
        break;
      }
      disturbed.add(r);
      if (best == null || r.getJsonObject("cpu").getDouble("othersPct", 0.0)
          < best.getJsonObject("cpu").getDouble("othersPct", 0.0)) {
        best = r;
      }
    }
    best.put("disturbedBy", s.quiet().disturbed(best.getJsonObject("cpu")) ? "others" : null);
    if (!disturbed.isEmpty()) {
      best.put("disturbedAttempts", disturbed.size());
    }
    return best;
  }

  private static void print(RelayTarget t, double rate, JsonObject r) {
    JsonObject l = r.getJsonObject("latencyFromScheduled");
    System.out.printf("%-9s %6.0f msg/s: p50 %s p99 %s p99.9 %s max %s ms, lost %d, errors %d, cpu %s%n",
        t.name(), rate, l.getValue("p50Ms"), l.getValue("p99Ms"), l.getValue("p999Ms"), l.getValue("maxMs"),
        r.getLong("lost"), r.getLong("errors"), r.getJsonObject("cpu").encode());
  }

  /** Table rows for one target's steps. */
  static List<List<String>> rows(JsonObject record) {
    List<List<String>> rows = new ArrayList<>();
    for (Object o : record.getJsonArray("steps")) {
      rows.add(row((JsonObject) o));
    }
    return rows;
  }

  static final List<String> HEADER = List.of("rate (msg/s)", "sent/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
      "p99 from send ms", "lost", "errors", "CPU machine / bench / others %", "held");

  static List<String> row(JsonObject r) {
    JsonObject l = r.getJsonObject("latencyFromScheduled");
    JsonObject sent = r.getJsonObject("latencyFromSent");
    JsonObject cpu = r.getJsonObject("cpu");
    List<String> row = new ArrayList<>();
    row.add(String.format("%,.0f%s", r.getDouble("rate"), r.getBoolean("confirmation", false) ? " (again)" : ""));
    row.add(String.format("%,d", r.getLong("sentPerSecond")));
    row.addAll(List.of(Latency.cells(l).split(" \\| ")));
    row.add(sent.getLong("count", 0L) == 0 ? "–" : Latency.fmt(sent.getDouble("p99Ms")));
    row.add(String.valueOf(r.getLong("lost")));
    row.add(String.valueOf(r.getLong("errors")));
    row.add(cpu.isEmpty() ? "–" : cpu.getValue("machinePct") + " / " + cpu.getValue("benchPct") + " / "
        + cpu.getValue("othersPct"));
    row.add((r.getBoolean("held") ? "yes" : "**no**") + (r.getString("disturbedBy") != null ? " (disturbed)" : ""));
    return row;
  }
}
