package switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 3, routing: guests arrive at a fixed rate (open loop: a new socket and a {@code start}
 * at each scheduled time) on one queue staffed by K operators who accept at once; each answered
 * guest ends its chat. Per rate: chats answered per second, start → offer (from the scheduled
 * arrival, so it includes opening the socket) and accept → {@code joined}; the rate steps up
 * until the node stops keeping up (a chat of the window still unanswered after the drain).
 */
final class RoutingBench {
  private static final String QUEUE = "desk";

  /** A guest's moments, in System.nanoTime(); 0 = not yet. Written on the guest's loop. */
  static final class Guest {
    final long scheduled;
    volatile String chatId;
    volatile long started;
    volatile long joined;

    Guest(long scheduled) {
      this.scheduled = scheduled;
    }
  }

  /** The operators' side of a chat, by chat id: first offer seen, accept sent, `accepted` received. */
  static final class Offer {
    volatile long offered;
    volatile long acceptSent;
    volatile long accepted;
  }

  private RoutingBench() {}

  static Path run(Options o) {
    List<String> configs = o.list("configs", "memory-1,redis-1");
    int operators = o.integer("operators", 8);
    boolean race = o.flag("race", false);
    List<Integer> rates = o.integers("rates", "20,50,100,200,300,400,600,800");
    Quiet quiet = Quiet.from(o);
    RelayLoad.Timing timing = new RelayLoad.Timing(o.number("warmup", 2), o.number("measure", 5),
        o.number("drain", 3), o.number("settle", 10));
    Report report = new Report(o.string("name", "routing"), Path.of(o.string("out", "target/bench")));
    Map<String, JsonObject> results = new LinkedHashMap<>();
    BenchRedis redis = configs.stream().anyMatch(c -> c.startsWith("redis"))
        ? BenchRedis.start(report.dir().resolve("logs")) : null;
    try (Clients clients = new Clients(o.integer("lanes", 2))) {
      for (String config : configs) {
        results.put(config, runConfig(config, clients, redis, operators, race, rates, timing, quiet));
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
    results.forEach(report.results()::put);
    report.para(operators + " operators staff one queue (`maxChats` 1,000,000); guests arrive at a fixed rate, "
        + "each on a new socket that sends `start`; " + (race
        ? "every operator accepts every offer at once (accept races)."
        : "the operator a chat id hashes to accepts its offer at once (the others leave it).")
        + " The guest ends the chat on `joined`. Times are from the scheduled arrival. Each rate: "
        + timing.warmup() + " s warm-up, " + timing.measure() + " s measured, " + timing.drain()
        + " s drain; it keeps up when every chat of the measured window is answered by the end of the drain.");
    report.heading("Summary");
    List<List<String>> summary = new ArrayList<>();
    results.forEach((name, r) -> summary.add(List.of(name,
        String.format("%,.0f", r.getDouble("highestAnsweredPerSecond")),
        String.valueOf(r.getInteger("highestRateKeptUp")))));
    report.table(List.of("set-up", "most chats answered per second", "highest arrival rate kept up (chats/s)"),
        summary);
    results.forEach((name, r) -> {
      report.heading(name);
      List<List<String>> rows = new ArrayList<>();
      for (Object s : r.getJsonArray("steps")) {
        JsonObject st = (JsonObject) s;
        JsonObject cpu = st.getJsonObject("cpu");
        List<String> row = new ArrayList<>(List.of(String.valueOf(st.getInteger("rate")),
            String.valueOf(st.getLong("started")), String.format("%.1f", st.getDouble("answeredPerSecond")),
            String.valueOf(st.getLong("unanswered"))));
        row.addAll(List.of(Latency.cells(st.getJsonObject("startToOffer")).split(" \\| ")));
        row.addAll(List.of(Latency.cells(st.getJsonObject("acceptToJoined")).split(" \\| ")));
        JsonObject joined = st.getJsonObject("startToJoined");
        row.add(joined.getLong("count", 0L) == 0 ? "–" : Latency.fmt(joined.getDouble("p99Ms")));
        row.add(String.valueOf(st.getLong("errors")));
        row.add(cpu.getValue("machinePct") + " / " + cpu.getValue("benchPct") + " / " + cpu.getValue("othersPct"));
        row.add((st.getBoolean("keptUp") ? "yes" : "**no**") + (st.getBoolean("disturbed") ? " (disturbed)" : ""));
        rows.add(row);
      }
      report.table(List.of("arrivals/s", "chats in window", "answered/s", "unanswered after drain",
          "start→offer p50 ms", "p99", "p99.9", "max", "accept→joined p50 ms", "p99", "p99.9", "max",
          "start→joined p99 ms", "errors", "CPU machine / bench / others %", "kept up"), rows);
    });
    return report.write(o.used());
  }

  private static JsonObject runConfig(String config, Clients clients, BenchRedis redis, int operatorCount,
      boolean race, List<Integer> rates, RelayLoad.Timing timing, Quiet quiet) {
    int nodeCount = config.endsWith("-2") ? 2 : 1;
    JsonArray operators = new JsonArray();
    for (int i = 0; i < operatorCount; i++) {
      operators.add(Nodes.operator("r" + i, 1_000_000, QUEUE));
    }
    System.out.println("== routing: " + config);
    try (Nodes nodes = Nodes.start(nodeCount, config.startsWith("redis") ? redis.url() : null,
        new JsonArray().add(Nodes.queue(QUEUE, 75)), operators)) {
      Map<String, Offer> offers = new ConcurrentHashMap<>();
      Errors errors = new Errors();
      int opPort = nodes.node(nodeCount - 1).port();
      for (int i = 0; i < operatorCount; i++) {
        int me = i;
        String token = Await.get(clients.login(opPort, "r" + i, Nodes.PASSWORD), 30);
        Sock op = Await.get(clients.connect(i, opPort, "/ws/operator", "r" + i), 30);
        op.send(new JsonObject().put("type", "auth").put("token", token).encode());
        Await.get(op.expect("ready", 10_000), 15);
        op.send(new JsonObject().put("type", "availability").put("queue", QUEUE).put("available", true).encode());
        Await.get(op.expect("availability", 10_000), 15);
        op.onFrame(f -> onOperatorFrame(f, op, me, operatorCount, race, offers, errors));
      }
      JsonArray steps = new JsonArray();
      double best = 0;
      int keptUp = 0;
      List<Long> pids = config.startsWith("redis") ? List.of(redis.pid()) : List.of();
      step(clients, nodes, 20, new RelayLoad.Timing(3, 1, 2, 5), offers, errors, pids); // JIT warm-up, not reported
      for (int rate : rates) {
        JsonObject st = null;
        for (int attempt = 0; attempt <= quiet.retries(); attempt++) {
          quiet.await();
          st = step(clients, nodes, rate, timing, offers, errors, pids);
          if (!quiet.disturbed(st.getJsonObject("cpu"))) {
            break;
          }
          System.out.println("disturbed by other processes: " + st.getJsonObject("cpu").encode());
        }
        st.put("disturbed", quiet.disturbed(st.getJsonObject("cpu")));
        steps.add(st);
        System.out.printf("%s %d chats/s: answered %.1f/s, start→offer p99 %s ms, accept→joined p99 %s ms, "
                + "kept up %s, cpu %s%n", config, rate, st.getDouble("answeredPerSecond"),
            st.getJsonObject("startToOffer").getValue("p99Ms"), st.getJsonObject("acceptToJoined").getValue("p99Ms"),
            st.getBoolean("keptUp"), st.getJsonObject("cpu").encode());
        best = Math.max(best, st.getDouble("answeredPerSecond"));
        if (!st.getBoolean("keptUp")) {
          break;
        }
        keptUp = rate;
      }
      return new JsonObject().put("steps", steps).put("highestAnsweredPerSecond", best)
          .put("highestRateKeptUp", keptUp).put("operators", operatorCount).put("race", race);
    }
  }

  private static void onOperatorFrame(String f, Sock op, int me, int count, boolean race, Map<String, Offer> offers,
      Errors errors) {
    if (Sock.is(f, "offer")) {
      String chatId = Frames.field(f, "chatId");
      Offer t = offers.computeIfAbsent(chatId, k -> new Offer());
      if (t.offered == 0) {
        t.offered = System.nanoTime();
      }
      if (race || Math.floorMod(chatId.hashCode(), count) == me) {
        if (t.acceptSent == 0) {
          t.acceptSent = System.nanoTime();
        }
        op.send("{\"type\":\"accept\",\"chatId\":\"" + chatId + "\"}");
      }
    } else if (Sock.is(f, "accepted")) {
      Offer t = offers.get(Frames.field(f, "chatId"));
      if (t != null) {
        t.accepted = System.nanoTime();
      }
    } else if (Sock.is(f, "error") && !race) {
      errors.add(f);
    }
  }

  /** One rate: arrivals on the lanes' grids, then the figures of the chats scheduled in the window. */
  private static JsonObject step(Clients clients, Nodes nodes, int rate, RelayLoad.Timing timing,
      Map<String, Offer> offers, Errors errors, List<Long> pids) {
    System.gc();
    Await.sleep(0.5);
    long t0 = System.nanoTime() + 100_000_000L;
    long warmEnd = t0 + (long) (timing.warmup() * 1e9);
    long end = warmEnd + (long) (timing.measure() * 1e9);
    List<Guest> window = new ArrayList<>();
    List<Guest> all = new ArrayList<>();
    AtomicLong open = new AtomicLong();
    long errorsBefore = errors.count();
    int lanes = clients.lanes();
    for (int lane = 0; lane < lanes; lane++) {
      int l = lane;
      Arrivals arrivals = new Arrivals(clients, nodes, l, window, all, open, errors);
      Grid.start(clients, lane, t0, end, (double) rate / lanes, Long.MAX_VALUE,
          (point, i) -> arrivals.arrive(point, point > warmEnd, i * lanes + l));
    }
    CpuMeter cpu = new CpuMeter(pids);
    Await.until(warmEnd);
    cpu.start();
    Await.until(end);
    JsonObject cpuUse = cpu.stop();
    Await.until(end + (long) (timing.drain() * 1e9));
    List<Guest> mine;
    List<Guest> everyone;
    synchronized (window) {
      mine = List.copyOf(window);
      everyone = List.copyOf(all);
    }
    long unanswered = mine.stream().filter(g -> g.joined == 0).count();
    Latency toOffer = new Latency();
    Latency toStarted = new Latency();
    Latency toJoined = new Latency();
    Latency acceptToJoined = new Latency();
    Latency acceptToAccepted = new Latency();
    for (Guest g : mine) {
      Offer o = g.chatId == null ? null : offers.get(g.chatId);
      if (g.started != 0) {
        toStarted.recordNanos(g.started - g.scheduled);
      }
      if (o != null && o.offered != 0) {
        toOffer.recordNanos(o.offered - g.scheduled);
      }
      if (g.joined != 0) {
        toJoined.recordNanos(g.joined - g.scheduled);
        if (o != null && o.acceptSent != 0) {
          acceptToJoined.recordNanos(g.joined - o.acceptSent);
        }
      }
      if (o != null && o.accepted != 0 && o.acceptSent != 0) {
        acceptToAccepted.recordNanos(o.accepted - o.acceptSent);
      }
    }
    long answeredInWindow = everyone.stream().filter(g -> g.joined > warmEnd && g.joined <= end).count();
    long settleBy = System.nanoTime() + (long) (timing.settle() * 1e9);
    while (open.get() > 0 && System.nanoTime() < settleBy) {
      Await.sleep(0.05);
    }
    offers.clear();
    return new JsonObject()
        .put("rate", rate)
        .put("started", mine.size())
        .put("answeredPerSecond", answeredInWindow / timing.measure())
        .put("unanswered", unanswered)
        .put("errors", errors.count() - errorsBefore)
        .put("firstError", errors.first())
        .put("guestsStillOpenAfterSettle", open.get())
        .put("startToStarted", Latency.summary(toStarted.take()))
        .put("startToOffer", Latency.summary(toOffer.take()))
        .put("acceptToAccepted", Latency.summary(acceptToAccepted.take()))
        .put("acceptToJoined", Latency.summary(acceptToJoined.take()))
        .put("startToJoined", Latency.summary(toJoined.take()))
        .put("cpu", cpuUse)
        .put("keptUp", unanswered == 0 && !mine.isEmpty());
  }

  /** One lane's guests: each opens a socket and starts a chat at its scheduled time. */
  private static final class Arrivals {
    private final Clients clients;
    private final Nodes nodes;
    private final int lane;
    private final List<Guest> window;
    private final List<Guest> all;
    private final AtomicLong open;
    private final Errors errors;

    Arrivals(Clients clients, Nodes nodes, int lane, List<Guest> window, List<Guest> all, AtomicLong open,
        Errors errors) {
      this.clients = clients;
      this.nodes = nodes;
      this.lane = lane;
      this.window = window;
      this.all = all;
      this.open = open;
      this.errors = errors;
    }

    private void arrive(long scheduled, boolean counted, long n) {
      Guest guest = new Guest(scheduled);
      synchronized (window) {
        all.add(guest);
        if (counted) {
          window.add(guest);
        }
      }
      open.incrementAndGet();
      int port = nodes.node((int) n).port();
      clients.connect(lane, port, "/ws/guest", "g" + n).onSuccess(g -> {
        g.onFrame(f -> {
          if (Sock.is(f, "started")) {
            guest.chatId = Frames.field(f, "chatId");
            guest.started = System.nanoTime();
          } else if (Sock.is(f, "joined")) {
            guest.joined = System.nanoTime();
            g.send("{\"type\":\"close\"}");
          } else if (Sock.is(f, "closed")) {
            g.close();
          } else if (Sock.is(f, "error")) {
            errors.add(f);
          }
        });
        g.onClose(open::decrementAndGet);
        g.send("{\"type\":\"start\",\"queue\":\"" + QUEUE + "\",\"name\":\"g" + n + "\"}");
      }).onFailure(e -> {
        open.decrementAndGet();
        errors.add("connect: " + e.getMessage());
      });
    }
  }
}
