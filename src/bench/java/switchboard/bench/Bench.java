package switchboard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs one benchmark scenario: {@code Bench <scenario> [key=value …]}; see docs/BENCHMARKS.md.
 * Writes {@code target/bench/<scenario>.json} and {@code .md}.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: Bench connections|relay|routing|rollover|baseline|jfr-top|archive [key=value …]");
      System.exit(2);
    }
    Options o = Options.parse(Arrays.copyOfRange(args, 1, args.length));
    double quiet = o.number("quiet", 0);
    if (quiet > 0) {
      System.out.printf("load average now %s%n", Machine.loadText());
      Machine.awaitQuiet(quiet, o.number("quietWait", 600));
    }
    Path report = switch (args[0]) {
      case "relay" -> RelayBench.run(o);
      case "baseline" -> BaselineBench.run(o);
      case "routing" -> RoutingBench.run(o);
      case "rollover" -> RolloverBench.run(o);
      case "connections" -> ConnectionsBench.run(o);
      case "jfr-top" -> JfrTop.run(o);
      case "archive" -> ArchiveBench.run(o);
      default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
    };
    if (!o.unread().isEmpty()) {
      System.out.println("warning: parameters not used by " + args[0] + ": " + o.unread());
    }
    Path md = report.resolveSibling(report.getFileName().toString().replaceFirst("\\.json$", ".md"));
    if (Files.exists(md)) {
      System.out.println();
      System.out.println(Files.readString(md));
    }
    System.out.println("report: " + report.toAbsolutePath() + " and " + md.getFileName());
    System.exit(0); // the servers' and clients' threads are not daemons
  }
}
