package switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.bus.Commands.ChatStep;
import switchboard.bus.Commands.SocketClosed;
import switchboard.bus.Commands.SocketCount;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatState;
import switchboard.store.StateStore;

/**
 * Switchboard's own metrics, in Prometheus names: sockets open, chats by state, and counters
 * and a latency histogram from the timeline steps this node records (DESIGN §4, GET /metrics).
 * It only listens to the facts other verticles publish on the local bus and samples the store;
 * it never takes part in a chat.
 */
public final class MetricsVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MetricsVerticle.class);
  /** How often chats by state are read from the store. */
  static final long SAMPLE_MILLIS = 5_000;
  /** Histogram buckets around the default rollover time (75 s), so dashboards can show "answered before rollover". */
  private static final Duration[] ACCEPT_BUCKETS = {
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
      Duration.ofSeconds(45), Duration.ofSeconds(60), Duration.ofSeconds(75), Duration.ofSeconds(90),
      Duration.ofSeconds(120), Duration.ofSeconds(180), Duration.ofSeconds(300), Duration.ofSeconds(600),
      Duration.ofSeconds(1800)};

  private final PrometheusMeterRegistry registry;
  private final StateStore store;
  private final Set<Meter> meters = new HashSet<>();
  private final Map<String, AtomicLong> socketsOpen = Map.of("guest", new AtomicLong(), "operator", new AtomicLong());
  private final Map<ChatState, AtomicLong> chatsByState = Map.of(ChatState.waiting, new AtomicLong(),
      ChatState.offered, new AtomicLong(), ChatState.active, new AtomicLong());
  private Timer acceptLatency;
  private Counter transfers;
  private long sampler = -1;

  public MetricsVerticle(PrometheusMeterRegistry registry, StateStore store) {
    this.registry = registry;
    this.store = store;
  }

  @Override
  public Future<?> start() {
    socketsOpen.forEach((kind, value) -> meters.add(Gauge.builder("switchboard.sockets.open", value, AtomicLong::get)
        .description("WebSockets open on this node").tag("kind", kind).register(registry)));
    chatsByState.forEach((state, value) -> meters.add(Gauge.builder("switchboard.chats", value, AtomicLong::get)
        .description("Chats by state in the shared store (the same on every node)").tag("state", state.name())
        .register(registry)));
    acceptLatency = keep(Timer.builder("switchboard.accept.latency")
        .description("From when a chat started waiting to when an operator accepted it")
        .serviceLevelObjectives(ACCEPT_BUCKETS)
        .register(registry));
    transfers = keep(Counter.builder("switchboard.transfers").description("Chats transferred by an operator")
        .register(registry));
    for (String ended : List.of(ChatState.closed.name(), ChatState.abandoned.name(), ChatState.missed.name())) {
      counter("switchboard.chats.ended", "Chats that ended, by how", "state", ended);
    }

    MessageConsumer<SocketCount> sockets = vertx.eventBus().consumer(Addresses.METRICS_SOCKETS, msg -> {
      AtomicLong open = socketsOpen.get(msg.body().kind());
      if (open != null) {
        open.addAndGet(msg.body().delta());
      }
    });
    MessageConsumer<SocketClosed> closes = vertx.eventBus().consumer(Addresses.METRICS_SOCKETS_CLOSED, msg ->
        keep(Counter.builder("switchboard.sockets.closed").description("Sockets this node closed for what their client did")
            .tag("kind", msg.body().kind()).tag("reason", msg.body().reason()).register(registry)).increment());
    MessageConsumer<ChatStep> steps = vertx.eventBus().consumer(Addresses.METRICS_CHAT_STEPS, msg -> onStep(msg.body()));
    sample();
    sampler = vertx.setPeriodic(SAMPLE_MILLIS, id -> sample());
    return Future.join(sockets.completion(), closes.completion(), steps.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sampler);
    if (MetricsSetup.isShared(registry)) {
      meters.forEach(registry::remove); // the Vert.x registry outlives this node; a redeploy registers afresh
    } else {
      registry.close();
    }
    return Future.succeededFuture();
  }

  private void onStep(ChatStep step) {
    ChatEvent event = step.event();
    switch (event.kind()) {
      case ChatEvent.ASKED -> counter("switchboard.chats.started", "Chats started, by the queue asked for",
          "queue", event.queue()).increment();
      case ChatEvent.OFFERED -> counter("switchboard.offers", "Chats first offered, by the queue that rang",
          "queue", event.queue()).increment();
      case ChatEvent.WIDENED -> counter("switchboard.rollovers", "Offers widened by the rollover timer, by the queue"
          + " widened to", "queue", event.queue()).increment();
      case ChatEvent.ACCEPTED -> {
        if (step.waitingSince() != null) {
          Duration waited = Duration.between(step.waitingSince(), event.at());
          acceptLatency.record(waited.isNegative() ? Duration.ZERO : waited);
        }
      }
      case ChatEvent.TRANSFERRED -> transfers.increment();
      case "closed", "abandoned", "missed" -> counter("switchboard.chats.ended", "Chats that ended, by how",
          "state", event.kind()).increment();
      default -> { } // returned: shown in the chat's timeline, not counted here
    }
  }

  /** A counter per tag value, created on first use; registering again returns the same one. */
  private Counter counter(String name, String description, String tag, String value) {
    Counter counter = Counter.builder(name).description(description).tag(tag, value == null ? "unknown" : value)
        .register(registry);
    meters.add(counter);
    return counter;
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }

  private void sample() {
    Future.all(store.unansweredChats(), store.heldCounts()).onSuccess(all -> {
      List<Chat> unanswered = all.resultAt(0);
      Map<String, Integer> held = all.resultAt(1);
      chatsByState.get(ChatState.waiting).set(unanswered.stream().filter(c -> c.state() == ChatState.waiting).count());
      chatsByState.get(ChatState.offered).set(unanswered.stream().filter(c -> c.state() == ChatState.offered).count());
      chatsByState.get(ChatState.active).set(held.values().stream().mapToLong(Integer::longValue).sum());
    }).onFailure(e -> log.debug("chats by state not sampled: {}", e.getMessage())); // health says the store is down
  }
}
