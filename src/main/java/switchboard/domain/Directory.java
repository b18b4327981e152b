package switchboard.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The queues and operators of a node, with each queue's rollover chain and office hours
 * worked out once per version. Admins change them while the service runs: {@link #replace}
 * swaps in a new version, and every reader sees either the old one or the new one whole.
 */
public final class Directory {
  private volatile Snapshot current;

  /** One consistent version of the set-up. */
  public record Snapshot(long version, Map<String, QueueConfig> queues, Map<String, OperatorConfig> operators,
      Map<String, List<String>> chains, Map<String, OfficeHours> hours, Map<String, SmsNumber> sms) {

    static Snapshot of(long version, List<QueueConfig> queueList, List<OperatorConfig> operatorList,
        List<SmsNumber> smsList) {
      Map<String, SmsNumber> sms = new LinkedHashMap<>();
      smsList.forEach(n -> sms.put(n.number(), n));
      Map<String, QueueConfig> queues = new LinkedHashMap<>();
      queueList.forEach(q -> queues.put(q.name(), q));
      Map<String, OperatorConfig> operators = new LinkedHashMap<>();
      operatorList.forEach(o -> operators.put(o.id(), o));
      Map<String, List<String>> chains = new LinkedHashMap<>();
      queues.keySet().forEach(name -> chains.put(name, List.copyOf(chainOf(queues, name))));
      Map<String, OfficeHours> hours = new LinkedHashMap<>();
      queueList.stream().filter(q -> q.hours() != null).forEach(q -> hours.put(q.name(), OfficeHours.parse(q.hours())));
      return new Snapshot(version, queues, operators, chains, hours, sms);
    }

    /** DESIGN §1: the queue, then its backups, each backup's backups after it, depth-first, no repeats. */
    private static Set<String> chainOf(Map<String, QueueConfig> queues, String name) {
      Set<String> chain = new LinkedHashSet<>();
      walk(queues, name, chain);
      return chain;
    }

    private static void walk(Map<String, QueueConfig> queues, String name, Set<String> chain) {
      if (!queues.containsKey(name) || !chain.add(name)) {
        return;
      }
      for (String backup : queues.get(name).backups()) {
        walk(queues, backup, chain);
      }
    }
  }

  /** The set-up as a config file gives it (version 0: any stored version replaces it). */
  public Directory(List<QueueConfig> queues, List<OperatorConfig> operators, List<SmsNumber> sms) {
    current = Snapshot.of(0, queues, operators, sms);
  }

  /** Puts a new version in place, if it is newer than the one held. */
  public synchronized boolean replace(long version, List<QueueConfig> queues, List<OperatorConfig> operators,
      List<SmsNumber> sms) {
    if (version <= current.version()) {
      return false;
    }
    current = Snapshot.of(version, queues, operators, sms);
    return true;
  }

  public Optional<SmsNumber> smsNumber(String number) {
    return Optional.ofNullable(number == null ? null : current.sms().get(number));
  }

  public List<SmsNumber> smsNumbers() {
    return List.copyOf(current.sms().values());
  }

  public long version() {
    return current.version();
  }

  /** Inside its office hours (a queue without hours is always open). */
  public boolean isOpen(String queue, Instant at) {
    OfficeHours h = current.hours().get(queue);
    return h == null || h.isOpen(at);
  }

  /** When a queue that is closed for the day opens next; empty when open now or without hours. */
  public Optional<Instant> nextOpening(String queue, Instant at) {
    OfficeHours h = current.hours().get(queue);
    return h == null ? Optional.empty() : h.nextOpening(at);
  }

  public Optional<QueueConfig> queue(String name) {
    return Optional.ofNullable(name == null ? null : current.queues().get(name));
  }

  public List<QueueConfig> queues() {
    return List.copyOf(current.queues().values());
  }

  public List<String> chain(String queue) {
    return current.chains().getOrDefault(queue, List.of());
  }

  public Optional<OperatorConfig> operator(String id) {
    return Optional.ofNullable(id == null ? null : current.operators().get(id));
  }

  public List<OperatorConfig> operators() {
    return new ArrayList<>(current.operators().values());
  }

  public int rolloverAfterSeconds(String queue) {
    return queue(queue).map(QueueConfig::rolloverAfterSeconds).orElse(QueueConfig.DEFAULT_ROLLOVER_AFTER_SECONDS);
  }
}
