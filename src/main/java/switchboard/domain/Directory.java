package switchboard.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import switchboard.config.AppConfig;
import switchboard.config.OperatorConfig;
import switchboard.config.QueueConfig;

/** The queues and operators of a node, with each queue's rollover chain worked out once. */
public final class Directory {
  private final Map<String, QueueConfig> queues = new LinkedHashMap<>();
  private final Map<String, OperatorConfig> operators = new LinkedHashMap<>();
  private final Map<String, List<String>> chains = new LinkedHashMap<>();
  private final Map<String, OfficeHours> hours = new LinkedHashMap<>();

  public Directory(AppConfig config) {
    config.queues().forEach(q -> queues.put(q.name(), q));
    config.operators().forEach(o -> operators.put(o.id(), o));
    queues.keySet().forEach(name -> chains.put(name, List.copyOf(chainOf(name))));
    config.queues().stream().filter(q -> q.hours() != null)
        .forEach(q -> hours.put(q.name(), OfficeHours.parse(q.hours())));
  }

  /** Inside its office hours (a queue without hours is always open). */
  public boolean isOpen(String queue, Instant at) {
    OfficeHours h = hours.get(queue);
    return h == null || h.isOpen(at);
  }

  /** When a queue that is closed for the day opens next; empty when open now or without hours. */
  public Optional<Instant> nextOpening(String queue, Instant at) {
    OfficeHours h = hours.get(queue);
    return h == null ? Optional.empty() : h.nextOpening(at);
  }

  /** DESIGN §1: the queue, then its backups, each backup's backups after it, depth-first, no repeats. */
  private Set<String> chainOf(String name) {
    Set<String> chain = new LinkedHashSet<>();
    walk(name, chain);
    return chain;
  }

  private void walk(String name, Set<String> chain) {
    if (!chain.add(name)) {
      return;
    }
    for (String backup : queues.get(name).backups()) {
      walk(backup, chain);
    }
  }

  public Optional<QueueConfig> queue(String name) {
    return Optional.ofNullable(name == null ? null : queues.get(name));
  }

  public List<QueueConfig> queues() {
    return List.copyOf(queues.values());
  }

  public List<String> chain(String queue) {
    return chains.getOrDefault(queue, List.of());
  }

  public Optional<OperatorConfig> operator(String id) {
    return Optional.ofNullable(id == null ? null : operators.get(id));
  }

  public List<OperatorConfig> operators() {
    return new ArrayList<>(operators.values());
  }

  public int rolloverAfterSeconds(String queue) {
    return queue(queue).map(QueueConfig::rolloverAfterSeconds).orElse(QueueConfig.DEFAULT_ROLLOVER_AFTER_SECONDS);
  }
}
