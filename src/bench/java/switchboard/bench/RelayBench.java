package switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 2, relay: N guest–operator pairs, guests sending at a fixed total rate; latency from
 * the scheduled send to the operator's receipt, at a fixed rate (10,000 msg/s: the Redis
 * target) and in a step search for the highest rate held at p99 under 10 ms; in memory, on
 * Redis with one node, and on Redis with the guest on node A and the operator on node B.
 */
final class RelayBench {
  private RelayBench() {}

  static Path run(Options o) {
    List<String> configs = o.list("configs", "memory-1,redis-1,redis-2");
    int pairs = o.integer("pairs", 100);
    Clients clients = new Clients(o.integer("lanes", 2));
    StepSearch.Settings settings = settings(o);
    double fixedRate = o.number("fixedRate", 10_000);
    double jit = o.number("jitWarmup", 10);
    RelayLoad.Timing fixedTiming = new RelayLoad.Timing(settings.timing().warmup(), o.number("fixedMeasure", 10),
        settings.timing().drain(), settings.timing().settle());
    Report report = new Report(o.string("name", "relay"), Path.of(o.string("out", "target/bench")));
    Map<String, JsonObject> results = new LinkedHashMap<>();
    BenchRedis redis = configs.stream().anyMatch(c -> c.startsWith("redis"))
        ? BenchRedis.start(report.dir().resolve("logs")) : null;
    try {
      for (String config : configs) {
        System.out.println("== relay: " + config + ", setting up " + pairs + " pairs");
        RelayTarget target = open(config, pairs, clients, redis);
        try {
          StepSearch.jitWarmup(clients, target, jit, settings.payload());
          JsonObject r = settings.rates().isEmpty()
              ? new JsonObject().put("description", target.description())
              : StepSearch.run(clients, List.of(target), settings).get(config);
          // after the search, so the JIT has long compiled everything it will
          JsonObject fixed = fixedRate > 0
              ? StepSearch.once(clients, target, fixedRate, new StepSearch.Settings(List.of(), 0, false, fixedTiming,
                  settings.payload(), settings.quiet(), settings.limitMs()))
              : null;
          results.put(config, r.put("atFixedRate", fixed));
        } finally {
          target.close();
        }
      }
    } finally {
      clients.close();
      if (redis != null) {
        redis.close();
      }
    }
    results.forEach(report.results()::put);
    describe(report, results, pairs, fixedRate, settings);
    return report.write(o.used());
  }

  static StepSearch.Settings settings(Options o) {
    return new StepSearch.Settings(
        o.integers("rates", "200,500,1000,2000,5000,10000,15000,20000,25000,30000,40000,50000,60000,80000"),
        o.integer("refine", 3),
        o.flag("confirm", true),
        new RelayLoad.Timing(o.number("warmup", 2), o.number("measure", 5), o.number("drain", 1),
            o.number("settle", 10)),
        o.integer("payload", 64),
        Quiet.from(o),
        o.number("limitMs", 10));
  }

  static RelayTarget open(String config, int pairs, Clients clients, BenchRedis redis) {
    return config.equals("bare") ? new BaselineServer.Target(pairs, clients)
        : SwitchboardRelay.open(config, pairs, clients, redis);
  }

  private static void describe(Report report, Map<String, JsonObject> results, int pairs, double fixedRate,
      StepSearch.Settings s) {
    report.para(pairs + " guest–operator pairs; guests send " + s.payload() + "-byte messages at a fixed total rate "
        + "(open loop, on a 0.25 ms grid); latency = operator's receipt − scheduled send time. Each step: "
        + s.timing().warmup() + " s warm-up (not counted), " + s.timing().measure() + " s measured, "
        + s.timing().drain() + " s drain. A step holds when p99 < " + s.limitMs() + " ms with nothing lost and no error frame; "
        + "a missed step is run again once before it counts. Clients and nodes share this JVM and its two cores. "
        + "Other engineers share the machine: each step waits for a second in which other processes use under "
        + s.quiet().maxOthersPct() + " % of the cores, and a step during which they used more is run again (up to "
        + s.quiet().retries() + " times; the least disturbed run counts, marked \"disturbed\" if still above).");
    report.heading("Summary");
    List<List<String>> rows = new ArrayList<>();
    results.forEach((name, r) -> {
      JsonObject fixed = r.getJsonObject("atFixedRate");
      String at = fixed == null ? "– | – | – | –" : Latency.cells(fixed.getJsonObject("latencyFromScheduled"));
      List<String> row = new ArrayList<>(List.of(r.getString("description")));
      row.addAll(List.of(at.split(" \\| ")));
      row.add(r.containsKey("highestRate") ? String.format("%,d", r.getInteger("highestRate")) : "–");
      row.add(r.getInteger("firstMissedRate") == null ? "–" : String.format("%,d", r.getInteger("firstMissedRate")));
      rows.add(row);
    });
    String at = String.format("%,.0f", fixedRate);
    report.table(List.of("set-up", "p50 ms at " + at + "/s", "p99 ms", "p99.9 ms", "max ms",
        "highest rate held, p99 < " + s.limitMs() + " ms (msg/s)", "first rate missed"), rows);
    results.forEach((name, r) -> {
      report.heading(r.getString("description"));
      List<List<String>> steps = new ArrayList<>();
      if (r.getJsonObject("atFixedRate") != null) {
        List<String> fixed = new ArrayList<>(StepSearch.row(r.getJsonObject("atFixedRate")));
        fixed.set(0, fixed.get(0) + " (fixed, longer)");
        steps.add(fixed);
      }
      if (r.containsKey("steps")) {
        steps.addAll(StepSearch.rows(r));
      }
      report.table(StepSearch.HEADER, steps);
    });
  }
}
