package switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Switchboard set up for the relay: pair i is queue {@code q<i>} staffed by operator {@code o<i>}
 * alone, so each chat rings for one operator; the guest talks to the first node, the operator to
 * the last one (the same node unless there are two).
 */
final class SwitchboardRelay implements RelayTarget {
  static final long SETUP_TIMEOUT_MS = 20_000;

  private final String name;
  private final Nodes nodes;
  private final List<Pair> pairs;
  private final List<Long> pids;

  private SwitchboardRelay(String name, Nodes nodes, List<Pair> pairs, List<Long> pids) {
    this.name = name;
    this.nodes = nodes;
    this.pairs = pairs;
    this.pids = pids;
  }

  /**
   * {@code kind}: memory-1, sqlite-1 (memory state, the embedded SQLite record), redis-1, redis-2
   * or redis-sqlite-1 (Redis state and a SQL record, as in production; SQLite stands in for
   * PostgreSQL, as on Redis messages reach the record in batches off the message path, whichever
   * database it is; one node only, since each node would get its own file).
   */
  static SwitchboardRelay open(String kind, int pairCount, Clients clients, BenchRedis redis) {
    int count = kind.endsWith("-2") ? 2 : 1;
    boolean useRedis = kind.startsWith("redis");
    JsonArray queues = new JsonArray();
    JsonArray operators = new JsonArray();
    for (int i = 0; i < pairCount; i++) {
      queues.add(Nodes.queue("q" + i, 75));
      operators.add(Nodes.operator("o" + i, 10, "q" + i));
    }
    Nodes nodes = Nodes.start(count, useRedis ? redis.url() : null, kind.contains("sqlite"), queues, operators);
    try {
      int guestPort = nodes.node(0).port();
      int operatorPort = nodes.node(count - 1).port();
      Map<Integer, String> steps = new ConcurrentSkipListMap<>();
      List<Pair> pairs = RelayTarget.setUp(pairCount, 10, i -> pair(clients, i, guestPort, operatorPort, steps),
          steps::toString);
      return new SwitchboardRelay(kind, nodes, pairs, useRedis ? List.of(redis.pid()) : List.of());
    } catch (RuntimeException e) {
      nodes.close();
      throw e;
    }
  }

  /** Signs o<i> in, makes it available on q<i>, starts a guest there and has o<i> accept. */
  static Future<Pair> pair(Clients clients, int i, int guestPort, int operatorPort) {
    return pair(clients, i, guestPort, operatorPort, new ConcurrentSkipListMap<>());
  }

  /** As above, with the step pair {@code i} waits for in {@code steps} until it is done. */
  static Future<Pair> pair(Clients clients, int i, int guestPort, int operatorPort, Map<Integer, String> steps) {
    String queue = "q" + i;
    steps.put(i, "login");
    return clients.login(operatorPort, "o" + i, Nodes.PASSWORD)
        .compose(token -> {
          steps.put(i, "operator socket");
          return clients.connect(i, operatorPort, "/ws/operator", "o" + i).compose(op -> {
            steps.put(i, "ready");
            op.send(new JsonObject().put("type", "auth").put("token", token).encode());
            return op.expect("ready", SETUP_TIMEOUT_MS).compose(r -> {
              steps.put(i, "availability");
              op.send(new JsonObject().put("type", "availability").put("queue", queue).put("available", true).encode());
              return op.expect("availability", SETUP_TIMEOUT_MS);
            }).map(r -> op);
          });
        })
        .compose(op -> {
          steps.put(i, "guest socket");
          return clients.connect(i, guestPort, "/ws/guest", "g" + i).compose(guest -> {
            steps.put(i, "started");
            guest.send(new JsonObject().put("type", "start").put("queue", queue).put("name", "g" + i).encode());
            return guest.expect("started", SETUP_TIMEOUT_MS).compose(started -> {
              String chatId = new JsonObject(started).getString("chatId");
              steps.put(i, "offer");
              return op.expect(Sock.typeFor("offer", chatId), "offer", SETUP_TIMEOUT_MS)
                  .compose(offer -> {
                    steps.put(i, "accepted");
                    op.send(new JsonObject().put("type", "accept").put("chatId", chatId).encode());
                    return op.expect(Sock.typeFor("accepted", chatId), "accepted", SETUP_TIMEOUT_MS);
                  })
                  .compose(accepted -> {
                    steps.put(i, "joined");
                    return guest.expect("joined", SETUP_TIMEOUT_MS);
                  })
                  .map(joined -> new Pair(guest, op, chatId));
            });
          });
        })
        .onComplete(done -> steps.remove(i));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return switch (name) {
      case "memory-1" -> "Switchboard, in-memory state, one node";
      case "sqlite-1" -> "Switchboard, in-memory state and the SQLite record (each message journaled before its ack), one node";
      case "redis-1" -> "Switchboard, Redis state, one node";
      case "redis-2" -> "Switchboard, Redis state, two nodes (guest on A, operator on B)";
      case "redis-sqlite-1" -> "Switchboard, Redis state and a SQL record (SQLite), one node";
      default -> "Switchboard " + name;
    };
  }

  @Override
  public List<Pair> pairs() {
    return pairs;
  }

  @Override
  public List<Long> pids() {
    return pids;
  }

  @Override
  public void close() {
    nodes.close();
  }
}
