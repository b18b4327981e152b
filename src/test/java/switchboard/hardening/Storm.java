package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import switchboard.e2e.TestNode;

/**
 * A storm of operators and guests on two nodes sharing one Redis, each socket a small bot driven by
 * the frames it gets: guests start chats on either node, talk, and some close just as operators
 * accept; operators accept after a random think time (some only around the 1 s rollover, some
 * never), hold a few chats, talk, then close or transfer them (to a queue or to a named
 * operator); some drop their only console just as an offer widens and come back later.
 *
 * <p>Everything each side saw is recorded, and {@link #verify} checks what a user would notice:
 * one consistent owner and state per chat (store, operators' frames and the guest's frames
 * agree), nobody over {@code maxChats} in their console, no offer left ringing, no acknowledged
 * message lost or unseen. Choices come from a seed, printed so a failing run can be replayed
 * (the interleaving still varies; the mix of choices does not).
 */
final class Storm {
  /** Operators op01… staff {@code general}; the first {@link Settings#specialists} staff {@code ill} only. */
  static final class Settings {
    long seed = 20261126L;
    int operators = 50;
    int specialists = 10;
    int chats = 1000;
    /** New chats per second, spread over both nodes. */
    int arrivalsPerSecond = 100;
    /** Share of chats asked on ill (rolls over to general after 1 s). */
    double illShare = 0.3;
    /**
     * Share of guests who close their chat themselves: a third 1–250 ms after starting it (racing
     * offers and accepts), a third the moment an operator joins (racing the rest of the accept), a
     * third 50–1500 ms after an operator joined (racing transfers and the operator's close).
     */
    double guestCloseRace = 0.15;
    double transferToQueue = 0.08;
    double transferToOperator = 0.08;
    /** Share of offers an operator lets ring without answering. */
    double ignoreOffer = 0.1;
    /** Share of accepts sent only around the rollover (0.6–1.4 s after the offer). */
    double slowAccept = 0.2;
    /** The same for specialists (ill): high, so ill chats often widen to general while still ringing. */
    double specialistsSlow = 0.2;
    /** Share of ill offers on which the operator drops their only console around the 1 s widening. */
    double dropOnWiden = 0.0;
    Duration deadline = Duration.ofSeconds(90);

    Settings seed(long v) { seed = v; return this; }
    Settings operators(int v) { operators = v; return this; }
    Settings specialists(int v) { specialists = v; return this; }
    Settings chats(int v) { chats = v; return this; }
    Settings arrivalsPerSecond(int v) { arrivalsPerSecond = v; return this; }
    Settings illShare(double v) { illShare = v; return this; }
    Settings guestCloseRace(double v) { guestCloseRace = v; return this; }
    Settings transfers(double toQueue, double toOperator) {
      transferToQueue = toQueue;
      transferToOperator = toOperator;
      return this;
    }
    Settings ignoreOffer(double v) { ignoreOffer = v; return this; }
    Settings slowAccept(double v) { slowAccept = v; return this; }
    Settings specialistsSlow(double v) { specialistsSlow = v; return this; }
    Settings dropOnWiden(double v) { dropOnWiden = v; return this; }
    Settings deadline(Duration v) { deadline = v; return this; }

    @Override
    public String toString() {
      return String.format("seed=%d operators=%d (specialists %d) chats=%d at %d/s ill=%.2f guestCloseRace=%.2f "
              + "transfers q=%.2f op=%.2f ignore=%.2f slow=%.2f (specialists %.2f) dropOnWiden=%.2f", seed, operators,
          specialists, chats, arrivalsPerSecond, illShare, guestCloseRace, transferToQueue, transferToOperator,
          ignoreOffer, slowAccept, specialistsSlow, dropOnWiden);
    }
  }

  private static final Set<String> EXPECTED_OPERATOR_ERRORS =
      // losing a race: taken already, no longer offered / at capacity / not held, chat ended or moved
      // meanwhile, or the named transfer target is not available
      Set.of("already_taken", "forbidden", "bad_request", "queue_unavailable");

  private final Settings s;
  private final Vertx clients;
  private final List<TestNode> nodes;
  private final WebSocketClient ws;
  private final Map<String, OperatorBot> operators = new LinkedHashMap<>();
  private final List<GuestBot> guests = new ArrayList<>();
  /** chat → accept epoch (1, 2, … as in the stored timeline) → operators who got `accepted` for it. */
  private final Map<String, Map<Integer, Set<String>>> epochs = new ConcurrentHashMap<>();
  /** chat → operator → guest message seqs that operator saw (history of `accepted`, or live). */
  private final Map<String, Map<String, Set<Long>>> guestSeqsSeen = new ConcurrentHashMap<>();
  /** chat → operator → seq of the operator's last message before closing it. */
  private final Map<String, Map<String, Long>> byeSeq = new ConcurrentHashMap<>();
  /** chat → seq → text of operator messages acknowledged to the operator. */
  private final Map<String, Map<Long, String>> operatorAcks = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> transfersOf = new ConcurrentHashMap<>();
  /** chat → operators whose console was told it closed or moved away from them. */
  private final Map<String, Set<String>> toldLeft = new ConcurrentHashMap<>();
  private final Set<String> endedChats = ConcurrentHashMap.newKeySet();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger offers = new AtomicInteger();
  private final AtomicInteger withdrawals = new AtomicInteger();
  private final AtomicInteger acceptsSent = new AtomicInteger();
  private final AtomicInteger transfersSent = new AtomicInteger();
  private final AtomicInteger drops = new AtomicInteger();
  private final AtomicInteger pendingReconnects = new AtomicInteger();
  private volatile boolean finishing;
  private CountDownLatch ended;
  private long wallMs;

  Storm(Settings settings, Vertx clients, List<TestNode> nodes) {
    this.s = settings;
    this.clients = clients;
    this.nodes = nodes;
    // the default allows 50 sockets per server: the rest would wait in line, not race
    this.ws = clients.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000));
  }

  /** Operator ids op01… in order. */
  static String operatorId(int i) {
    return String.format("op%02d", i);
  }

  /** maxChats of each operator: 1 to 4, from the seed, so full consoles are common. */
  static Map<String, Integer> maxChats(Settings s) {
    Random rnd = new Random(s.seed);
    Map<String, Integer> max = new LinkedHashMap<>();
    for (int i = 1; i <= s.operators; i++) {
      max.put(operatorId(i), 1 + rnd.nextInt(4));
    }
    return max;
  }

  /** Configures a node of the storm: rollover at 1 s, op01… with their queues and maxChats. */
  static TestNode.Builder configure(TestNode.Builder builder, Settings s) {
    builder.rolloverAfterSeconds(1).extraOperators(s.operators);
    maxChats(s).forEach(builder::maxChats);
    return builder.editConfig(config -> {
      for (Object o : config.getJsonArray("operators")) {
        JsonObject op = (JsonObject) o;
        String id = op.getString("id");
        if (id.startsWith("op") && Integer.parseInt(id.substring(2)) <= s.specialists) {
          op.put("queues", new JsonArray().add("ill"));
        }
      }
    });
  }

  // ---------------------------------------------------------------- running

  /** Signs every operator in (alternating nodes), lets guests in at the set rate, waits until every chat ended. */
  void run() {
    long started = System.nanoTime();
    Map<String, Integer> max = maxChats(s);
    Random rnd = new Random(s.seed ^ 0x5eed);
    List<Future<?>> ready = new ArrayList<>();
    for (int i = 1; i <= s.operators; i++) {
      String id = operatorId(i);
      TestNode node = nodes.get(i % 2);
      OperatorBot bot = new OperatorBot(id, i <= s.specialists ? List.of("ill") : List.of("general"), max.get(id),
          node.login(id), new Random(s.seed * 31 + i));
      operators.put(id, bot);
      ready.add(bot.connect(node));
    }
    TestNode.await(Future.all(ready), Duration.ofSeconds(30));
    TestNode.waitUntil(() -> nodes.get(0).presence("general") && nodes.get(1).presence("ill"), TestNode.TIMEOUT,
        "both queues available on both nodes");

    ended = new CountDownLatch(s.chats);
    long gapMicros = 1_000_000L / s.arrivalsPerSecond;
    for (int i = 0; i < s.chats; i++) {
      double leaves = rnd.nextDouble() / s.guestCloseRace;
      Closer closer = leaves < 1.0 / 3 ? Closer.EARLY : leaves < 2.0 / 3 ? Closer.ON_JOIN
          : leaves < 1 ? Closer.LATER : Closer.NEVER;
      GuestBot guest = new GuestBot("guest-" + i, rnd.nextDouble() < s.illShare ? "ill" : "general", closer,
          new Random(s.seed * 131 + i));
      guests.add(guest);
      TestNode node = nodes.get(rnd.nextInt(2));
      long at = Math.max(1, (i * gapMicros + rnd.nextInt((int) Math.max(1, gapMicros))) / 1000);
      clients.setTimer(at, t -> guest.start(node));
    }
    try {
      boolean all = ended.await(s.deadline.toMillis(), TimeUnit.MILLISECONDS);
      if (!all) {
        List<String> open = guests.stream().filter(g -> !g.closedSeen).limit(10).map(GuestBot::describe).toList();
        throw new AssertionError(ended.getCount() + " of " + s.chats + " chats not ended within " + s.deadline
            + " (" + s + "); e.g. " + open + "; problems so far: " + first(problems, 20));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    finishing = true;
    wallMs = (System.nanoTime() - started) / 1_000_000;
  }

  // ---------------------------------------------------------------- checking

  /** Checks the outcome; returns a one-line summary of the figures. */
  String verify() {
    // consoles settle: reconnects done, every offer answered or withdrawn, every held chat closed
    List<String> settleProblems = new ArrayList<>();
    try {
      TestNode.waitUntil(() -> {
        settleProblems.clear();
        if (pendingReconnects.get() > 0) {
          settleProblems.add(pendingReconnects.get() + " consoles still reconnecting");
        }
        operators.values().forEach(op -> op.outstanding(settleProblems));
        guests.forEach(g -> g.missingOperatorMessages(settleProblems));
        return settleProblems.isEmpty();
      }, Duration.ofSeconds(15), "consoles and guests to settle");
    } catch (AssertionError e) {
      throw new AssertionError("after the storm (" + s + "): " + first(settleProblems, 30), e);
    }

    assertThat(first(problems, 50)).as("problems seen during the storm (%s)", s).isEmpty();

    String admin = nodes.get(0).login("alice");
    List<String> wrong = Collections.synchronizedList(new ArrayList<>());
    Map<String, AtomicInteger> endStates = new ConcurrentHashMap<>();
    AtomicInteger transferred = new AtomicInteger();
    AtomicInteger widened = new AtomicInteger();
    AtomicInteger returned = new AtomicInteger();
    AtomicInteger reaccepted = new AtomicInteger();
    AtomicInteger racesWonByGuest = new AtomicInteger();
    AtomicInteger messagesChecked = new AtomicInteger();
    IntStream.range(0, guests.size()).parallel().forEach(i -> {
      GuestBot g = guests.get(i);
      JsonObject record = nodes.get(i % 2).chat(g.chatId, admin);
      checkChat(g, record, wrong, messagesChecked);
      String state = record.getString("state");
      endStates.computeIfAbsent(state, k -> new AtomicInteger()).incrementAndGet();
      JsonArray timeline = record.getJsonArray("timeline");
      int accepts = 0;
      for (int k = 0; k < timeline.size(); k++) {
        switch (timeline.getJsonObject(k).getString("kind")) {
          case "transferred" -> transferred.incrementAndGet();
          case "widened" -> widened.incrementAndGet();
          case "returned" -> returned.incrementAndGet();
          case "accepted" -> accepts++;
          default -> { }
        }
      }
      if (accepts > 1) {
        reaccepted.incrementAndGet();
      }
      if (g.closer != Closer.NEVER && !"closed".equals(state)) {
        racesWonByGuest.incrementAndGet();
      }
    });
    assertThat(first(wrong, 30)).as("chats whose owner, state or messages are wrong (%s)", s).isEmpty();

    int mostHeld = operators.values().stream().mapToInt(o -> o.mostHeld).max().orElse(0);
    long busy = operators.values().stream().filter(o -> o.mostHeld > 0).count();
    assertThat(busy).as("the work was spread over many operators").isGreaterThan(s.operators / 2);
    long racers = guests.stream().filter(g -> g.closer != Closer.NEVER).count();
    return String.format("%d chats over 2 nodes, %d operators, %d ms: end states %s; %d offers, %d withdrawn, "
            + "%d accepts sent; %d transfers sent (%d done), %d chats answered more than once; %d guest closes raced "
            + "(%d before an operator held it); %d widenings; %d consoles dropped, %d chats returned; "
            + "%d acknowledged messages checked; most chats held at once %d",
        s.chats, s.operators, wallMs, new TreeMap<>(endStates), offers.get(), withdrawals.get(), acceptsSent.get(),
        transfersSent.get(), transferred.get(), reaccepted.get(), racers, racesWonByGuest.get(), widened.get(),
        drops.get(), returned.get(), messagesChecked.get(), mostHeld);
  }

  private void checkChat(GuestBot g, JsonObject record, List<String> wrong, AtomicInteger messagesChecked) {
    String id = g.chatId;
    String state = record.getString("state");
    List<String> acceptedBy = new ArrayList<>();
    JsonArray timeline = record.getJsonArray("timeline");
    for (int k = 0; k < timeline.size(); k++) {
      JsonObject e = timeline.getJsonObject(k);
      if ("accepted".equals(e.getString("kind"))) {
        acceptedBy.add(e.getString("operator"));
      }
    }
    if (!Set.of("closed", "abandoned", "missed").contains(state)) {
      wrong.add(id + ": state " + state + " after the storm");
    }
    // the owner: whoever accepted last holds (or held, until it closed) the chat
    String owner = acceptedBy.isEmpty() ? null : acceptedBy.get(acceptedBy.size() - 1);
    if ("closed".equals(state) && (owner == null || !owner.equals(record.getString("operator")))) {
      wrong.add(id + ": closed with operator " + record.getString("operator") + " but accepted by " + acceptedBy);
    }
    if (!"closed".equals(state) && record.getString("operator") != null) {
      wrong.add(id + ": " + state + " but still held by " + record.getString("operator"));
    }
    // operators' frames: one winner per acceptance, and it is the stored one
    Map<Integer, Set<String>> seen = epochs.getOrDefault(id, Map.of());
    for (Map.Entry<Integer, Set<String>> e : seen.entrySet()) {
      int epoch = e.getKey();
      if (epoch < 1 || epoch > acceptedBy.size()) {
        wrong.add(id + ": 'accepted' for acceptance #" + epoch + " by " + e.getValue() + " but stored " + acceptedBy);
      } else if (!Set.of(acceptedBy.get(epoch - 1)).containsAll(e.getValue())) {
        wrong.add(id + ": acceptance #" + epoch + " is " + acceptedBy.get(epoch - 1) + " but 'accepted' went to "
            + e.getValue());
      }
    }
    for (int k = 0; k < acceptedBy.size(); k++) {
      String op = acceptedBy.get(k);
      // an `accepted` overtaken by a newer `closed` (or transfer away) is dropped: the console never showed it
      if (!seen.getOrDefault(k + 1, Set.of()).contains(op) && operators.get(op).drops == 0
          && !toldLeft.getOrDefault(id, Set.of()).contains(op)) {
        wrong.add(id + ": " + op + " never got 'accepted' for acceptance #" + (k + 1));
      }
    }
    // the guest saw each operator join, in order, by name; only a guest who closed the chat
    // as it was answered may miss the last `joined` (overtaken by their own `closed`)
    List<String> names = acceptedBy.stream().map(TestNode::displayName).toList();
    List<String> joined;
    synchronized (g) {
      joined = new ArrayList<>(g.joined);
    }
    boolean overtaken = g.closer != Closer.NEVER && "guest".equals(g.closedBy)
        && joined.equals(names.subList(0, Math.max(0, names.size() - 1)));
    if (!joined.equals(names) && !overtaken) {
      wrong.add(id + ": guest saw 'joined' " + joined + " but the chat was accepted by " + acceptedBy);
    }
    // no acknowledged message lost, none stored twice
    TreeMap<Long, JsonObject> stored = new TreeMap<>();
    JsonArray messages = record.getJsonArray("messages");
    for (int k = 0; k < messages.size(); k++) {
      JsonObject m = messages.getJsonObject(k);
      if (stored.put(m.getLong("seq"), m) != null) {
        wrong.add(id + ": seq " + m.getLong("seq") + " stored twice");
      }
    }
    if (!stored.isEmpty() && stored.size() != stored.lastKey()) {
      wrong.add(id + ": seqs not 1.." + stored.size() + ": " + stored.keySet());
    }
    Map<Long, String> guestAcks;
    synchronized (g) {
      guestAcks = new TreeMap<>(g.acked);
    }
    guestAcks.forEach((seq, text) -> {
      JsonObject m = stored.get(seq);
      messagesChecked.incrementAndGet();
      if (m == null || !"guest".equals(m.getString("from")) || !text.equals(m.getString("text"))) {
        wrong.add(id + ": guest message " + seq + " '" + text + "' acknowledged but stored as " + m);
      }
    });
    operatorAcks.getOrDefault(id, Map.of()).forEach((seq, text) -> {
      JsonObject m = stored.get(seq);
      messagesChecked.incrementAndGet();
      if (m == null || !"operator".equals(m.getString("from")) || !text.equals(m.getString("text"))) {
        wrong.add(id + ": operator message " + seq + " '" + text + "' acknowledged but stored as " + m);
      }
    });
    // the operator who closed it saw every guest message acknowledged before their last word
    if ("closed".equals(state) && owner != null) {
      Long bye = byeSeq.getOrDefault(id, Map.of()).get(owner);
      Set<Long> opSaw = guestSeqsSeen.getOrDefault(id, Map.of()).getOrDefault(owner, Set.of());
      if (bye != null) {
        guestAcks.keySet().stream().filter(seq -> seq < bye && !opSaw.contains(seq)).forEach(seq ->
            wrong.add(id + ": guest message " + seq + " '" + guestAcks.get(seq) + "' acknowledged but " + owner
                + " (who held the chat and said goodbye at seq " + bye + ") never saw it"));
      }
    }
  }

  private static List<String> first(List<String> list, int n) {
    synchronized (list) {
      return new ArrayList<>(list.subList(0, Math.min(n, list.size())));
    }
  }

  private void problem(String what) {
    problems.add(what);
  }

  private static JsonObject frame(String type) {
    return new JsonObject().put("type", type);
  }

  // ---------------------------------------------------------------- operators

  /** One console; a new one after each drop. */
  private static final class Console {
    final WebSocket socket;
    /** chat → the `offer` still ringing on this console. */
    final Map<String, JsonObject> ringing = new LinkedHashMap<>();
    /** Chats this console shows as held. */
    final Set<String> held = new HashSet<>();
    /** chat → what this console was told about it, in order of arrival (for failure messages). */
    final Map<String, List<String>> told = new LinkedHashMap<>();
    boolean open = true;

    Console(WebSocket socket) {
      this.socket = socket;
    }

    void send(JsonObject frame) {
      if (open) {
        if (frame.containsKey("chatId")) {
          told.computeIfAbsent(frame.getString("chatId"), k -> new ArrayList<>())
              .add(java.time.LocalTime.now() + " sent " + frame.getString("type"));
        }
        socket.writeTextMessage(frame.encode());
      }
    }
  }

  private final class OperatorBot {
    final String id;
    final List<String> queues;
    final int maxChats;
    final String token;
    final Random rnd;
    Console console;
    int mostHeld;
    volatile int drops;
    boolean dropScheduled;
    int said;
    final Map<String, String> sentText = new LinkedHashMap<>();
    /** chat → what to do if the named operator cannot take it: close it ourselves. */
    final Set<String> transferringToOperator = new HashSet<>();

    OperatorBot(String id, List<String> queues, int maxChats, String token, Random rnd) {
      this.id = id;
      this.queues = queues;
      this.maxChats = maxChats;
      this.token = token;
      this.rnd = rnd;
    }

    /** Opens a console, signs in and sets every queue available; completes when confirmed. */
    Future<Void> connect(TestNode node) {
      Promise<Void> available = Promise.promise();
      Set<String> confirmed = new HashSet<>();
      return ws.connect(node.port(), "localhost", "/ws/operator").compose(socket -> {
        Console c = new Console(socket);
        synchronized (this) {
          console = c;
        }
        socket.textMessageHandler(text -> onFrame(c, new JsonObject(text), confirmed, available));
        socket.closeHandler(v -> {
          synchronized (this) {
            if (c.open) {
              c.open = false;
              problem(id + ": console closed by the server");
            }
          }
        });
        socket.writeTextMessage(frame("auth").put("token", token).encode());
        return available.future();
      });
    }

    private synchronized void onFrame(Console c, JsonObject f, Set<String> confirmed, Promise<Void> available) {
      if (!c.open) {
        return;
      }
      String chatId = f.getString("chatId");
      if (chatId != null && !"timeline".equals(f.getString("type"))) {
        String what = f.getString("type") + (f.containsKey("reason") ? "/" + f.getString("reason") : "")
            + (f.containsKey("code") ? "/" + f.getString("code") : "")
            + (f.containsKey("seq") ? "#" + f.getLong("seq") : "")
            + (f.containsKey("version") ? " v" + f.getLong("version") : "");
        c.told.computeIfAbsent(chatId, k -> new ArrayList<>()).add(java.time.LocalTime.now() + " " + what);
      }
      switch (f.getString("type")) {
        case "ready" -> queues.forEach(q -> c.send(frame("availability").put("queue", q).put("available", true)));
        case "availability" -> {
          confirmed.add(f.getString("queue"));
          if (confirmed.containsAll(queues)) {
            available.tryComplete();
          }
        }
        case "offer" -> onOffer(c, f, chatId);
        case "offer_withdrawn" -> {
          withdrawals.incrementAndGet();
          c.ringing.remove(chatId);
          if ("transferred".equals(f.getString("reason"))) {
            c.held.remove(chatId);
            transferringToOperator.remove(chatId);
            leftWithout(chatId);
          }
        }
        case "accepted" -> onAccepted(c, f, chatId);
        case "message" -> {
          // as the console does: a message for a chat it does not show is dropped
          if ("guest".equals(f.getString("from")) && c.held.contains(chatId)) {
            seen(chatId).add(f.getLong("seq"));
          }
        }
        case "ack" -> onAck(c, f, chatId);
        case "closed" -> {
          // as the console does: `closed` ends the chat, and an offer for it if `accepted` never came
          // (the server drops an `accepted` that arrives after a newer `closed`)
          c.ringing.remove(chatId);
          c.held.remove(chatId);
          leftWithout(chatId);
        }
        case "error" -> {
          String code = f.getString("code");
          if (!EXPECTED_OPERATOR_ERRORS.contains(code)) {
            problem(id + ": unexpected error " + f.encode());
          } else if ("queue_unavailable".equals(code) && transferringToOperator.remove(chatId)) {
            sayGoodbyeAndClose(c, chatId);
          }
        }
        default -> { }
      }
    }

    private void onOffer(Console c, JsonObject f, String chatId) {
      offers.incrementAndGet();
      c.ringing.put(chatId, f);
      if (!dropScheduled && !finishing && "ill".equals(f.getString("offeredOn")) && rnd.nextDouble() < s.dropOnWiden) {
        // the chat widens 1 s after it was offered on ill: leave right around then
        dropScheduled = true;
        clients.setTimer(850 + rnd.nextInt(300), t -> dropAndComeBack(c));
      }
      if (rnd.nextDouble() < s.ignoreOffer) {
        return;
      }
      double slow = queues.contains("ill") ? s.specialistsSlow : s.slowAccept;
      long think = rnd.nextDouble() < slow ? 600 + rnd.nextInt(800) : 1 + rnd.nextInt(150);
      clients.setTimer(think, t -> {
        synchronized (this) {
          if (c.ringing.containsKey(chatId)) {
            acceptsSent.incrementAndGet();
            c.send(frame("accept").put("chatId", chatId));
          }
        }
      });
    }

    private void onAccepted(Console c, JsonObject f, String chatId) {
      c.ringing.remove(chatId);
      JsonArray timeline = f.getJsonArray("timeline");
      int epoch = 0;
      for (int k = 0; k < timeline.size(); k++) {
        if ("accepted".equals(timeline.getJsonObject(k).getString("kind"))) {
          epoch++;
        }
      }
      epochs.computeIfAbsent(chatId, k -> new ConcurrentHashMap<>())
          .computeIfAbsent(epoch, k -> ConcurrentHashMap.newKeySet()).add(id);
      JsonArray history = f.getJsonArray("history");
      for (int k = 0; k < history.size(); k++) {
        JsonObject m = history.getJsonObject(k);
        if ("guest".equals(m.getString("from"))) {
          seen(chatId).add(m.getLong("seq"));
        }
      }
      c.held.add(chatId);
      List<String> holding = c.held.stream().filter(h -> !endedChats.contains(h)).toList();
      mostHeld = Math.max(mostHeld, holding.size());
      if (holding.size() > maxChats) {
        problem(id + ": console holds " + holding + ", more than maxChats " + maxChats);
      }
      // hold it a moment, say something, then close it or hand it on
      clients.setTimer(20 + rnd.nextInt(250), t -> {
        synchronized (this) {
          if (c.held.contains(chatId)) {
            say(c, chatId, "m", "Looking into it");
          }
        }
      });
      clients.setTimer(60 + rnd.nextInt(400), t -> finishChat(c, chatId));
    }

    private synchronized void finishChat(Console c, String chatId) {
      if (!c.held.contains(chatId)) {
        return;
      }
      double r = rnd.nextDouble();
      AtomicInteger handedOn = transfersOf.computeIfAbsent(chatId, k -> new AtomicInteger());
      if (r < s.transferToQueue && handedOn.get() < 2) {
        handedOn.incrementAndGet();
        transfersSent.incrementAndGet();
        c.send(frame("transfer").put("chatId", chatId).put("queue", rnd.nextBoolean() ? "ill" : "general"));
      } else if (r < s.transferToQueue + s.transferToOperator && handedOn.get() < 2) {
        handedOn.incrementAndGet();
        transfersSent.incrementAndGet();
        String target = operatorId(1 + rnd.nextInt(s.operators));
        if (target.equals(id)) {
          sayGoodbyeAndClose(c, chatId);
          return;
        }
        transferringToOperator.add(chatId);
        c.send(frame("transfer").put("chatId", chatId).put("operator", target));
      } else {
        sayGoodbyeAndClose(c, chatId);
      }
    }

    private void sayGoodbyeAndClose(Console c, String chatId) {
      say(c, chatId, "bye", "Goodbye");
    }

    /** Each message has its own clientId and text, so none is taken for a resend of another. */
    private void say(Console c, String chatId, String kind, String words) {
      String clientId = kind + "-" + (++said);
      String text = words + " (" + id + ", " + clientId + ")";
      sentText.put(clientId, text);
      c.send(frame("message").put("chatId", chatId).put("text", text).put("clientId", clientId));
    }

    private void onAck(Console c, JsonObject f, String chatId) {
      long seq = f.getLong("seq");
      String clientId = f.getString("clientId");
      operatorAcks.computeIfAbsent(chatId, k -> new ConcurrentHashMap<>()).put(seq, sentText.get(clientId));
      if (clientId.startsWith("bye-")) {
        byeSeq.computeIfAbsent(chatId, k -> new ConcurrentHashMap<>()).put(id, seq);
        c.send(frame("close").put("chatId", chatId));
      }
    }

    /** The chat ended or moved on before (or after) this console's `accepted` for it. */
    private void leftWithout(String chatId) {
      toldLeft.computeIfAbsent(chatId, k -> ConcurrentHashMap.newKeySet()).add(id);
    }

    private Set<Long> seen(String chatId) {
      return guestSeqsSeen.computeIfAbsent(chatId, k -> new ConcurrentHashMap<>())
          .computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
    }

    /** The operator's only console goes away; a new one opens 0.3–3 s later, on either node. */
    private void dropAndComeBack(Console c) {
      synchronized (this) {
        if (!c.open || finishing) {
          dropScheduled = false;
          return;
        }
        c.open = false;
        drops++;
        Storm.this.drops.incrementAndGet();
        pendingReconnects.incrementAndGet();
      }
      c.socket.close();
      clients.setTimer(300 + rnd.nextInt(2700), t -> connect(nodes.get(rnd.nextInt(2))).onComplete(r -> {
        synchronized (this) {
          dropScheduled = false;
        }
        pendingReconnects.decrementAndGet();
        if (r.failed()) {
          problem(id + ": could not reconnect: " + r.cause());
        }
      }));
    }

    /** What this console still shows after the storm: every chat ended, so nothing should be left. */
    synchronized void outstanding(List<String> out) {
      if (console == null || !console.open) {
        out.add(id + ": no open console");
        return;
      }
      console.ringing.forEach((chat, offer) -> out.add(id + ": offer still ringing for ended chat " + chat
          + "; this console was told " + console.told.get(chat)));
      console.held.forEach(chat -> out.add(id + ": still shows ended chat " + chat + " as held; this console was told "
          + console.told.get(chat)));
    }
  }

  // ---------------------------------------------------------------- guests

  /** When a guest closes the chat themselves, if ever. */
  private enum Closer { NEVER, EARLY, ON_JOIN, LATER }

  private final class GuestBot {
    final String name;
    final String queue;
    final Closer closer;
    final Random rnd;
    WebSocket socket;
    String chatId;
    final List<String> joined = new ArrayList<>();
    /** seq → text of this guest's acknowledged messages. */
    final Map<Long, String> acked = new TreeMap<>();
    final Map<String, String> sentText = new LinkedHashMap<>();
    final Set<Long> operatorSeqs = new HashSet<>();
    volatile boolean closedSeen;
    String closedBy;
    int said;
    int refused;

    GuestBot(String name, String queue, Closer closer, Random rnd) {
      this.name = name;
      this.queue = queue;
      this.closer = closer;
      this.rnd = rnd;
    }

    void start(TestNode node) {
      ws.connect(node.port(), "localhost", "/ws/guest").onSuccess(sock -> {
        synchronized (this) {
          socket = sock;
        }
        sock.textMessageHandler(text -> onFrame(new JsonObject(text)));
        sock.writeTextMessage(frame("start").put("queue", queue).put("name", name).encode());
      }).onFailure(e -> {
        problem(name + ": could not connect: " + e);
        ended.countDown();
      });
    }

    private synchronized void onFrame(JsonObject f) {
      switch (f.getString("type")) {
        case "started" -> {
          chatId = f.getString("chatId");
          say(); // asked while waiting: the operator gets it in the history
          if (closer == Closer.EARLY) {
            clients.setTimer(1 + rnd.nextInt(250), t -> close());
          }
        }
        case "joined" -> {
          if (closedSeen) {
            problem(name + ": 'joined' " + f.encode() + " after the chat ended");
          }
          joined.add(f.getString("operator"));
          if (closer == Closer.ON_JOIN && joined.size() == 1) {
            close();
          } else if (closer == Closer.LATER && joined.size() == 1) {
            clients.setTimer(50 + rnd.nextInt(1450), t -> close());
          }
          clients.setTimer(5 + rnd.nextInt(150), t -> {
            synchronized (this) {
              if (!closedSeen) {
                say();
              }
            }
          });
        }
        case "message" -> {
          if ("operator".equals(f.getString("from"))) {
            operatorSeqs.add(f.getLong("seq"));
          }
        }
        case "ack" -> acked.put(f.getLong("seq"), sentText.get(f.getString("clientId")));
        case "closed" -> {
          if (closedSeen) {
            problem(name + ": a second 'closed' " + f.encode());
            return;
          }
          closedSeen = true;
          closedBy = f.getString("by");
          // over for everyone now, whatever a console's `closed` still on its way says: consoles
          // stop counting it against maxChats (a console's own `closed` can come later from the other node)
          endedChats.add(chatId);
          ended.countDown();
        }
        case "error" -> {
          // a message that crossed the end of the chat (the `closed` may come after, from the other node)
          if ("bad_request".equals(f.getString("code")) && "this chat has ended".equals(f.getString("message"))) {
            refused++;
          } else {
            problem(name + ": unexpected error " + f.encode() + " (chat " + chatId + ")");
          }
        }
        default -> { }
      }
    }

    private void close() {
      socket.writeTextMessage(frame("close").encode());
    }

    private void say() {
      String clientId = "g" + (++said);
      String text = "question " + said + " from " + name;
      sentText.put(clientId, text);
      socket.writeTextMessage(frame("message").put("text", text).put("clientId", clientId).encode());
    }

    /** Every operator message acknowledged in this chat reached the guest. */
    synchronized void missingOperatorMessages(List<String> out) {
      Map<Long, String> expected = operatorAcks.getOrDefault(chatId, Map.of());
      for (Long seq : expected.keySet()) {
        if (!operatorSeqs.contains(seq)) {
          out.add(name + " (chat " + chatId + "): operator message " + seq
              + " acknowledged but never shown to the guest");
        }
      }
      if (acked.size() + refused != sentText.size()) {
        out.add(name + ": " + (sentText.size() - acked.size() - refused)
            + " messages neither acknowledged nor refused");
      }
    }

    synchronized String describe() {
      return name + "[" + queue + ", closes " + closer + "] chat " + chatId + " joined " + joined;
    }
  }
}
