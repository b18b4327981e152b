package switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Names the hot spots of a flight recording ({@code file=…jfr}): CPU samples by the method on top
 * of the stack, by the Switchboard method that led there, allocation by Switchboard method, and GC
 * time. Samples whose stack passes through the generator ({@code switchboard.bench}) are counted
 * apart, so the server's share stands alone. Writes {@code <out>/<name>.md} and {@code .json}.
 */
final class JfrTop {
  private JfrTop() {}

  static Path run(Options o) {
    Path file = Path.of(o.string("file", "target/bench/relay.jfr"));
    int top = o.integer("top", 25);
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> firstOwn = new HashMap<>();
    Map<String, Long> allocByOwn = new HashMap<>();
    Map<String, Long> allocByTop = new HashMap<>();
    Map<String, Long> byThread = new HashMap<>();
    long samples = 0;
    long generator = 0;
    long gcNanos = 0;
    long gcCount = 0;
    long longestGc = 0;
    try (RecordingFile rf = new RecordingFile(file)) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.GarbageCollection")) {
          Duration d = e.getDuration("sumOfPauses");
          gcNanos += d.toNanos();
          gcCount++;
          longestGc = Math.max(longestGc, e.getDuration("longestPause").toNanos());
          continue;
        }
        boolean cpu = type.equals("jdk.ExecutionSample");
        boolean alloc = type.equals("jdk.ObjectAllocationSample");
        if (!cpu && !alloc) {
          continue;
        }
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
          continue;
        }
        List<RecordedFrame> frames = st.getFrames();
        if (cpu && e.getThread("sampledThread") != null) {
          byThread.merge(String.valueOf(e.getThread("sampledThread").getJavaName()), 1L, Long::sum);
        }
        if (frames.stream().anyMatch(f -> name(f).startsWith("switchboard.bench."))) {
          if (cpu) {
            generator++;
          }
          continue;
        }
        String own = frames.stream().map(JfrTop::name)
            .filter(n -> n.startsWith("switchboard.")).findFirst().orElse("(no Switchboard frame)");
        if (cpu) {
          samples++;
          self.merge(name(frames.get(0)), 1L, Long::sum);
          firstOwn.merge(own, 1L, Long::sum);
          Set<String> seen = new HashSet<>();
          for (RecordedFrame f : frames) {
            String n = name(f);
            if (n.startsWith("switchboard.") && seen.add(n)) {
              inclusive.merge(n, 1L, Long::sum);
            }
          }
        } else {
          long weight = e.getLong("weight");
          allocByOwn.merge(own, weight, Long::sum);
          allocByTop.merge(name(frames.get(0)) + " → " + e.getClass("objectClass").getName(), weight, Long::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Report report = new Report(o.string("name", file.getFileName().toString().replace(".jfr", "") + "-profile"),
        Path.of(o.string("out", "target/bench")));
    report.para("Recording `" + file + "`: " + samples + " CPU samples outside the generator (" + generator
        + " more in the generator's own code, left out). GC: " + gcCount + " collections, "
        + Duration.ofNanos(gcNanos).toMillis() + " ms of pauses in all, longest " + Duration.ofNanos(longestGc).toMillis()
        + " ms.");
    long all = samples;
    report.heading("CPU samples by thread (generator included; both Vert.x instances name their loops alike)");
    report.table(List.of("samples", "% of all", "thread"), rows(byThread, top, samples + generator));
    report.heading("CPU: method on top of the stack");
    report.table(List.of("samples", "%", "method"), rows(self, top, all));
    report.heading("CPU: Switchboard method nearest the top (where the time was spent on behalf of)");
    report.table(List.of("samples", "%", "method"), rows(firstOwn, top, all));
    report.heading("CPU: Switchboard methods anywhere on the stack (inclusive)");
    report.table(List.of("samples", "%", "method"), rows(inclusive, top, all));
    long allocAll = allocByOwn.values().stream().mapToLong(Long::longValue).sum();
    report.heading("Allocation (sampled bytes) by Switchboard method nearest the top");
    report.table(List.of("MiB", "%", "method"), mib(rows(allocByOwn, top, allocAll)));
    report.heading("Allocation by allocating frame → class");
    report.table(List.of("MiB", "%", "site"), mib(rows(allocByTop, top, allocAll)));
    report.results().put("cpuSamples", samples).put("generatorSamples", generator)
        .put("gcPauseMs", Duration.ofNanos(gcNanos).toMillis()).put("gcCount", gcCount)
        .put("self", new io.vertx.core.json.JsonObject(new LinkedHashMap<>(limit(self, top))))
        .put("nearestSwitchboard", new io.vertx.core.json.JsonObject(new LinkedHashMap<>(limit(firstOwn, top))))
        .put("inclusive", new io.vertx.core.json.JsonObject(new LinkedHashMap<>(limit(inclusive, top))));
    return report.write(o.used());
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static Map<String, Object> limit(Map<String, Long> counts, int top) {
    Map<String, Object> out = new LinkedHashMap<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static List<List<String>> rows(Map<String, Long> counts, int top, long all) {
    List<List<String>> rows = new ArrayList<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
        .forEach(e -> rows.add(List.of(String.valueOf(e.getValue()),
            String.format("%.1f", all == 0 ? 0 : 100.0 * e.getValue() / all), "`" + e.getKey() + "`")));
    return rows;
  }

  private static List<List<String>> mib(List<List<String>> rows) {
    List<List<String>> out = new ArrayList<>();
    for (List<String> r : rows) {
      out.add(List.of(String.format("%.1f", Long.parseLong(r.get(0)) / 1048576.0), r.get(1), r.get(2)));
    }
    return out;
  }
}
