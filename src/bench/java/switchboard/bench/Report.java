package switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One scenario's report: {@code <dir>/<scenario>.json} (everything measured) and
 * {@code <dir>/<scenario>.md} (the tables a reader wants), both headed by the machine, the JVM
 * flags, the commit and the load the run shared the machine with.
 */
final class Report {
  private final String scenario;
  private final Path dir;
  private final Instant started = Instant.now();
  private final String loadAtStart = Machine.loadText();
  private final JsonObject root = new JsonObject();
  private final JsonObject results = new JsonObject();
  private final JsonArray notes = new JsonArray();
  private final StringBuilder body = new StringBuilder();

  Report(String scenario, Path dir) {
    this.scenario = scenario;
    this.dir = dir;
    root.put("scenario", scenario).put("machine", Machine.describe()).put("results", results).put("notes", notes);
  }

  JsonObject results() {
    return results;
  }

  Path dir() {
    return dir;
  }

  Report heading(String text) {
    body.append("\n## ").append(text).append("\n\n");
    return this;
  }

  Report para(String text) {
    body.append(text).append("\n\n");
    return this;
  }

  /** A finding worth reading next to the figures (also kept in the JSON). */
  Report note(String text) {
    notes.add(text);
    body.append("- ").append(text).append("\n");
    return this;
  }

  Report table(List<String> header, List<List<String>> rows) {
    body.append("| ").append(String.join(" | ", header)).append(" |\n|");
    header.forEach(h -> body.append("---|"));
    body.append("\n");
    for (List<String> row : rows) {
      body.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    body.append("\n");
    return this;
  }

  /** Writes both files and returns the JSON one. */
  Path write(Map<String, String> parameters) {
    String loadAtEnd = Machine.loadText();
    root.put("parameters", new JsonObject(Map.copyOf(parameters)))
        .put("loadAverageAtStart", loadAtStart).put("loadAverageAtEnd", loadAtEnd)
        .put("durationSeconds", Duration.between(started, Instant.now()).toSeconds());
    JsonObject m = root.getJsonObject("machine");
    StringBuilder md = new StringBuilder("# Switchboard benchmark: ").append(scenario).append("\n\n");
    md.append("| | |\n|---|---|\n")
        .append("| run at | ").append(m.getString("at")).append(" (").append(root.getLong("durationSeconds"))
        .append(" s) |\n")
        .append("| machine | ").append(m.getInteger("cores")).append(" cores, ").append(m.getString("cpuModel"))
        .append(", ").append(m.getDouble("memoryGiB")).append(" GiB |\n")
        .append("| load average (1, 5, 15 min) | at start ").append(loadAtStart).append("; at end ")
        .append(loadAtEnd).append(" |\n")
        .append("| JVM | ").append(m.getString("java")).append(", ").append(m.getString("gc")).append(", flags `")
        .append(String.join(" ", m.getJsonArray("jvmFlags").getList())).append("` |\n")
        .append("| commit | `").append(m.getString("commit")).append('`')
        .append(m.getBoolean("uncommittedChanges") ? " plus uncommitted changes" : "").append(" |\n")
        .append("| Redis | ").append(m.getString("redis")).append(" |\n")
        .append("| parameters | `");
    parameters.forEach((k, v) -> md.append(k).append('=').append(v).append(' '));
    md.append("` |\n").append(body);
    try {
      Files.createDirectories(dir);
      Path json = dir.resolve(scenario + ".json");
      Files.writeString(json, root.encodePrettily() + "\n", StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(scenario + ".md"), md.toString(), StandardCharsets.UTF_8);
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
