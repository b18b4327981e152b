package switchboard.bench;

import io.vertx.core.json.JsonObject;

/**
 * Waiting out other people's load on a shared machine. Before a step: waits until, over one
 * second, processes other than the benchmark's use less than {@code maxOthersPct} of all cores.
 * After a step: whether it was disturbed (others above that share while it ran), so it can be run
 * again. A tail latency measured while another build held the cores says nothing about Switchboard.
 */
final class Quiet {
  private final double maxOthersPct;
  private final double maxWaitSeconds;
  private final int retries;

  Quiet(double maxOthersPct, double maxWaitSeconds, int retries) {
    this.maxOthersPct = maxOthersPct;
    this.maxWaitSeconds = maxWaitSeconds;
    this.retries = retries;
  }

  static Quiet from(Options o) {
    return new Quiet(o.number("maxOthersPct", 15), o.number("quietWait", 120), o.integer("retries", 2));
  }

  static Quiet off() {
    return new Quiet(100, 0, 0);
  }

  int retries() {
    return retries;
  }

  /** Waits for a quiet second (or gives up after the wait); returns the others' share of the last second. */
  double await() {
    long deadline = System.nanoTime() + (long) (maxWaitSeconds * 1e9);
    double others;
    boolean told = false;
    do {
      CpuMeter m = new CpuMeter(java.util.List.of()).start();
      Await.sleep(1);
      others = m.stop().getDouble("othersPct", 0.0);
      if (others < maxOthersPct || maxWaitSeconds <= 0) {
        return others;
      }
      if (!told) {
        System.out.printf("others use %.0f%% of the cores; waiting up to %.0f s for < %.0f%%%n", others,
            maxWaitSeconds, maxOthersPct);
        told = true;
      }
    } while (System.nanoTime() < deadline);
    return others;
  }

  /** Whether a step with this CPU record ran while others took more than allowed. */
  boolean disturbed(JsonObject cpu) {
    return cpu != null && cpu.getDouble("othersPct", 0.0) >= maxOthersPct;
  }

  double maxOthersPct() {
    return maxOthersPct;
  }
}
