package switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One open-loop relay step: guests send at a fixed total rate, operators time each message's
 * arrival. Arrivals are laid on a fine grid ({@link Grid}): at each grid point a lane sends the messages due by
 * then, stamped with that point as their scheduled time, so a loop that runs late (the server's
 * or the generator's) shows up as latency rather than as a lower rate (no coordinated omission).
 * Only messages scheduled after the warm-up count; every counted message is waited for.
 */
final class RelayLoad {
  private static final String MESSAGE = "{\"type\":\"message\"";
  private static final String ACK = "{\"type\":\"ack\"";
  private static final String ERROR = "{\"type\":\"error\"";
  private static final String TEXT = "\"text\":\"";

  /** Seconds of each phase: warm-up, measured window, drain, and the most to wait for stragglers. */
  record Timing(double warmup, double measure, double drain, double settle) {}

  private final long t0;
  private final long warmEnd;
  private final long end;
  private final String pad;
  private final Latency fromScheduled = new Latency();
  private final Latency fromSent = new Latency();
  private final LongAdder sentAll = new LongAdder();
  private final LongAdder sentWindow = new LongAdder();
  private final LongAdder receivedAll = new LongAdder();
  private final LongAdder receivedWindow = new LongAdder();
  private final LongAdder acks = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private volatile String firstError;
  /** Worst latency per 100 ms of scheduled time (µs), for finding stalls; null unless tracing. */
  private final java.util.concurrent.atomic.AtomicLongArray worstPerSlot;

  private RelayLoad(Timing timing, int payloadBytes) {
    t0 = System.nanoTime() + 100_000_000L;
    warmEnd = t0 + (long) (timing.warmup() * 1e9);
    end = warmEnd + (long) (timing.measure() * 1e9);
    pad = "x".repeat(Math.max(0, payloadBytes - 40));
    worstPerSlot = Boolean.getBoolean("bench.trace")
        ? new java.util.concurrent.atomic.AtomicLongArray((int) ((end - t0) / 100_000_000L) + 2) : null;
  }

  /** Runs one step at {@code rate} messages per second (all pairs together) and returns its figures. */
  static JsonObject run(Clients clients, RelayTarget target, double rate, Timing timing, int payloadBytes,
      double limitMs) {
    RelayLoad load = new RelayLoad(timing, payloadBytes);
    List<Pair> pairs = target.pairs();
    for (Pair p : pairs) {
      p.operator.onFrame(load::onOperatorFrame);
      p.guest.onFrame(load::onGuestFrame);
    }
    for (int lane = 0; lane < clients.lanes(); lane++) {
      List<Pair> mine = new ArrayList<>();
      for (Pair p : pairs) {
        if (p.guest.lane == lane) {
          mine.add(p);
        }
      }
      if (!mine.isEmpty()) {
        int[] next = new int[1];
        Grid.start(clients, lane, load.t0, load.end, rate * mine.size() / pairs.size(), Long.MAX_VALUE,
            (point, i) -> {
              load.send(mine.get(next[0]), point);
              next[0] = next[0] + 1 == mine.size() ? 0 : next[0] + 1;
            });
      }
    }
    CpuMeter cpu = new CpuMeter(target.pids());
    Await.until(load.warmEnd);
    cpu.start();
    Await.until(load.end);
    JsonObject cpuUse = cpu.stop();
    Await.until(load.end + (long) (timing.drain() * 1e9));
    long inTime = load.receivedWindow.sum();
    long settleBy = System.nanoTime() + (long) (timing.settle() * 1e9);
    while (load.receivedAll.sum() < load.sentAll.sum() && System.nanoTime() < settleBy) {
      Await.sleep(0.05);
    }
    long sent = load.sentWindow.sum();
    long received = load.receivedWindow.sum();
    JsonObject scheduled = Latency.summary(load.fromScheduled.take());
    if (load.worstPerSlot != null) {
      StringBuilder trace = new StringBuilder("worst µs per 100 ms:");
      for (int i = 0; i < load.worstPerSlot.length(); i++) {
        trace.append(' ').append(load.worstPerSlot.get(i));
      }
      System.out.println(trace);
    }
    boolean pass = scheduled.getLong("count") > 0 && scheduled.getDouble("p99Ms") < limitMs && received >= sent
        && load.errors.sum() == 0;
    return new JsonObject()
        .put("target", target.name())
        .put("rate", rate)
        .put("pairs", pairs.size())
        .put("sent", sent)
        .put("sentPerSecond", Math.round(sent / timing.measure()))
        .put("received", received)
        .put("lost", Math.max(0, sent - received))
        .put("duplicates", Math.max(0, received - sent))
        .put("arrivedAfterDrain", received - inTime)
        .put("acks", load.acks.sum())
        .put("errors", load.errors.sum())
        .put("firstError", load.firstError)
        .put("latencyFromScheduled", scheduled)
        .put("latencyFromSent", Latency.summary(load.fromSent.take()))
        .put("cpu", cpuUse)
        .put("p99LimitMs", limitMs)
        .put("held", pass);
  }

  /** A guest message stamped with its scheduled and its actual send time; on the guest's loop. */
  private void send(Pair p, long point) {
    String text = point + "." + System.nanoTime() + "|" + pad;
    p.guest.send("{\"type\":\"message\",\"text\":\"" + text + "\",\"clientId\":\"m" + (++p.sent) + "\"}");
    sentAll.increment();
    if (point > warmEnd) {
      sentWindow.increment();
    }
  }

  private void onOperatorFrame(String f) {
    if (!f.startsWith(MESSAGE)) {
      return;
    }
    long now = System.nanoTime();
    int i = f.indexOf(TEXT);
    if (i < 0) {
      return;
    }
    i += TEXT.length();
    int dot = f.indexOf('.', i);
    int bar = f.indexOf('|', dot);
    if (dot < 0 || bar < 0) {
      return;
    }
    long scheduled = Long.parseLong(f, i, dot, 10);
    long sentAt = Long.parseLong(f, dot + 1, bar, 10);
    receivedAll.increment();
    if (scheduled > warmEnd && scheduled <= end) {
      receivedWindow.increment();
      fromScheduled.recordNanos(now - scheduled);
      if (worstPerSlot != null) {
        worstPerSlot.accumulateAndGet((int) ((scheduled - t0) / 100_000_000L), (now - scheduled) / 1000, Math::max);
      }
      fromSent.recordNanos(now - sentAt);
    }
  }

  private void onGuestFrame(String f) {
    if (f.startsWith(ACK)) {
      acks.increment();
    } else if (f.startsWith(ERROR)) {
      errors.increment();
      if (firstError == null) {
        firstError = f;
      }
    }
  }
}
