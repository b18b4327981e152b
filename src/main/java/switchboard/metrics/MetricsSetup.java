package switchboard.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Where a node's metrics live. A node started by {@code Main} runs on a Vert.x instance with
 * Micrometer metrics (its HTTP servers, event bus and the JVM are measured into a Prometheus
 * registry); Switchboard's own meters join that registry, so {@code GET /metrics} shows both.
 * On a plain Vert.x instance (tests, embedders) a node keeps a registry of its own.
 */
public final class MetricsSetup {
  private MetricsSetup() {}

  /** The name the Vert.x backend registry is kept under (Micrometer's registries are per JVM, by name). */
  static final String REGISTRY_NAME = "switchboard";

  /** A Vert.x instance that measures itself and the JVM into a Prometheus registry. */
  public static Vertx vertxWithMetrics() {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(REGISTRY_NAME)
        .setJvmMetricsEnabled(true)
        // the event bus carries every frame between verticles: counting each (a meter lookup by
        // tags per message) cost ~5 % of a node's CPU in the relay benchmark (docs/BENCHMARKS.md);
        // switchboard_* meters say what an operator needs about chats and sockets
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        // the node serves /metrics on its own port; no second server
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setStartEmbeddedServer(false));
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory())
        .build();
  }

  /** The registry a node on {@code vertx} records into and {@code /metrics} shows. */
  public static PrometheusMeterRegistry registryFor(Vertx vertx) {
    if (vertx.isMetricsEnabled() && BackendRegistries.getNow(REGISTRY_NAME) instanceof PrometheusMeterRegistry shared) {
      return shared;
    }
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Whether {@code registry} belongs to the Vert.x instance (and so outlives one node's deployment). */
  static boolean isShared(MeterRegistry registry) {
    return registry == BackendRegistries.getNow(REGISTRY_NAME);
  }
}
