package switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 5, baseline: the bare Vert.x relay ({@link BaselineServer}) and Switchboard side by
 * side in one JVM, driven by the same generator and interleaved rate by rate, so the report can
 * give Switchboard's throughput and latency as a ratio of the bare stack's on the same machine
 * under the same outside load.
 */
final class BaselineBench {
  private BaselineBench() {}

  static Path run(Options o) {
    List<String> configs = o.list("configs", "bare,memory-1");
    int pairs = o.integer("pairs", 100);
    Clients clients = new Clients(o.integer("lanes", 2));
    StepSearch.Settings settings = RelayBench.settings(o);
    double compareRate = o.number("compareRate", 5_000);
    double jit = o.number("jitWarmup", 10);
    RelayLoad.Timing compareTiming = new RelayLoad.Timing(settings.timing().warmup(), o.number("compareMeasure", 10),
        settings.timing().drain(), settings.timing().settle());
    Report report = new Report(o.string("name", "baseline"), Path.of(o.string("out", "target/bench")));
    BenchRedis redis = configs.stream().anyMatch(c -> c.startsWith("redis"))
        ? BenchRedis.start(report.dir().resolve("logs")) : null;
    List<RelayTarget> targets = new ArrayList<>();
    Map<String, JsonObject> results;
    Map<String, JsonObject> compared = new LinkedHashMap<>();
    try {
      for (String c : configs) {
        System.out.println("== baseline: setting up " + pairs + " pairs on " + c);
        targets.add(RelayBench.open(c, pairs, clients, redis));
      }
      for (RelayTarget t : targets) {
        StepSearch.jitWarmup(clients, t, jit, settings.payload());
      }
      results = StepSearch.run(clients, targets, settings);
      // after the search, so the JIT has long compiled everything it will
      StepSearch.Settings compare = new StepSearch.Settings(List.of(), 0, false, compareTiming, settings.payload(),
          settings.quiet(), settings.limitMs());
      for (RelayTarget t : targets) {
        compared.put(t.name(), StepSearch.once(clients, t, compareRate, compare));
      }
    } finally {
      targets.forEach(RelayTarget::close);
      clients.close();
      if (redis != null) {
        redis.close();
      }
    }
    results.forEach((name, r) -> report.results().put(name, r.put("atCompareRate", compared.get(name))));

    String base = configs.get(0);
    JsonObject bare = results.get(base);
    JsonObject bareAt = compared.get(base).getJsonObject("latencyFromScheduled");
    report.para(pairs + " pairs on each target, " + settings.payload() + "-byte messages, open loop; the targets "
        + "run in this one JVM, set up side by side and driven in turns at each rate (same step timing as the "
        + "relay scenario). Ratios are Switchboard ÷ " + base + ".");
    report.heading("Ratios");
    List<List<String>> rows = new ArrayList<>();
    JsonObject ratios = new JsonObject();
    results.forEach((name, r) -> {
      JsonObject at = compared.get(name).getJsonObject("latencyFromScheduled");
      double throughput = bare.getInteger("highestRate") == 0 ? 0
          : (double) r.getInteger("highestRate") / bare.getInteger("highestRate");
      ratios.put(name, new JsonObject().put("throughput", round(throughput))
          .put("p50", round(at.getDouble("p50Ms") / bareAt.getDouble("p50Ms")))
          .put("p99", round(at.getDouble("p99Ms") / bareAt.getDouble("p99Ms"))));
      rows.add(List.of(r.getString("description"),
          String.format("%,d", r.getInteger("highestRate")),
          r.getInteger("firstMissedRate") == null ? "–" : String.format("%,d", r.getInteger("firstMissedRate")),
          name.equals(base) ? "1" : String.valueOf(round(throughput)),
          Latency.fmt(at.getDouble("p50Ms")), Latency.fmt(at.getDouble("p99Ms")),
          name.equals(base) ? "1 / 1" : round(at.getDouble("p50Ms") / bareAt.getDouble("p50Ms")) + " / "
              + round(at.getDouble("p99Ms") / bareAt.getDouble("p99Ms"))));
    });
    report.results().put("ratios", ratios);
    String at = String.format("%,.0f", compareRate);
    report.table(List.of("target", "highest rate held, p99 < " + settings.limitMs() + " ms", "first rate missed", "throughput ratio",
        "p50 ms at " + at + "/s", "p99 ms at " + at + "/s", "latency ratio p50 / p99"), rows);
    results.forEach((name, r) -> {
      report.heading(r.getString("description"));
      List<List<String>> steps = new ArrayList<>();
      List<String> fixed = new ArrayList<>(StepSearch.row(compared.get(name)));
      fixed.set(0, fixed.get(0) + " (compare, longer)");
      steps.add(fixed);
      steps.addAll(StepSearch.rows(r));
      report.table(StepSearch.HEADER, steps);
    });
    return report.write(o.used());
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
