package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.hardening.NodeProcess;

/**
 * Issue 15: a one-node set-up (in-memory state, the embedded SQLite record beside its config file,
 * as the README's run command starts it) killed with {@code kill -9} and started again keeps every
 * admin change, password, canned response, offline question, ended chat with its transcript and
 * stat; a chat that was running resumes for its guest and its librarian with every acknowledged
 * message.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OneNodeRestartTest {
  @TempDir
  Path folder;
  private Vertx clients;
  private NodeProcess node;

  @BeforeEach
  void setUp() {
    clients = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (node != null) {
      node.close();
    }
    TestNode.await(clients.close(), Duration.ofSeconds(10));
  }

  /** A one-node config whose graces outlast a restart: the guest and the librarian come back to the running chat. */
  private Path config() throws Exception {
    Path config = folder.resolve("config.json");
    Files.writeString(config, TestNode.builder(clients).guestGraceSeconds(120).operatorGraceSeconds(120).configJson());
    return config;
  }

  /** Starts the node in its own process (so it can be killed) on {@code config}. */
  private TestNode startNode(Path config, String label) throws Exception {
    node = NodeProcess.start(config, null, "solo", label, "256m");
    return TestNode.remote(node.port(), clients);
  }

  @Test
  void aNodeKilledAndStartedAgainKeepsTheRecordAndItsRunningChats() throws Exception {
    Path config = config();
    TestNode before = startNode(config, "restart-before-kill");
    Path database = folder.resolve("data/switchboard.db");
    assertThat(database).as("the record is created beside the config file").exists();

    // an admin's changes: a new operator, another's password
    String admin = before.login("alice");
    JsonObject erin = new JsonObject().put("id", "erin").put("name", "Erin").put("queues", new JsonArray().add("general"))
        .put("password", "erin-passphrase-1");
    assertThat(before.post("/api/v1/admin/operators", erin, admin).status()).isEqualTo(201);
    JsonObject bob = new JsonObject().put("id", "bob").put("name", "Bob").put("queues", new JsonArray().add("general"))
        .put("password", "bob-new-passphrase");
    assertThat(before.put("/api/v1/admin/operators/bob", bob, admin).status()).isEqualTo(200);
    assertThat(before.post("/api/v1/canned", new JsonObject().putNull("queue").put("shortcut", "hours")
        .put("text", "We are open 9–5."), admin).status()).isEqualTo(201);
    assertThat(before.post("/api/v1/offline", new JsonObject().put("queue", "ill").put("name", "Pat")
        .put("email", "pat@example.org").put("question", "Can I renew by phone?").put("page", "https://library.example"),
        null).status()).isEqualTo(201);

    // a chat that ends
    FrameClient alice = FrameClient.operator(before, "alice", admin);
    alice.available("ill", true);
    before.awaitPresence("ill", true);
    FrameClient pat = FrameClient.guest(before);
    String ended = pat.start("ill", "Pat").getString("chatId");
    alice.offerFor(ended);
    alice.accept(ended);
    pat.next("joined");
    assertThat(pat.say("Where is my book?").getLong("seq")).isEqualTo(1L);
    alice.say(ended, "On its way to your branch.");
    pat.next("message");
    pat.send(new JsonObject().put("type", "close"));
    pat.next("closed");
    awaitRecorded(database, ended, "closed");

    // a chat still running when the node dies: its messages were acknowledged, so they are kept
    FrameClient sam = FrameClient.guest(before);
    JsonObject started = sam.start("ill", "Sam");
    String running = started.getString("chatId");
    alice.offerFor(running);
    alice.accept(running);
    sam.next("joined");
    awaitRecorded(database, running, "active");
    assertThat(sam.say("first question").getLong("seq")).isEqualTo(1L);
    assertThat(sam.say("second question").getLong("seq")).isEqualTo(2L);

    node.kill(); // at once: no batch had time to run after those acknowledgements
    sam.close();
    alice.close();
    TestNode after = startNode(config, "restart-after-kill");

    // the set-up as the admin left it
    assertThat(after.loginRequest("erin", "erin-passphrase-1").status()).isEqualTo(200);
    assertThat(after.loginRequest("bob", TestNode.PASSWORD).status()).as("bob's old password").isEqualTo(401);
    assertThat(after.loginRequest("bob", "bob-new-passphrase").status()).isEqualTo(200);
    String admin2 = after.login("alice");
    assertThat(after.get("/api/v1/canned", admin2).body()).contains("We are open 9–5.");
    assertThat(after.get("/api/v1/offline", admin2).body()).contains("Can I renew by phone?");
    String audit = after.get("/api/v1/admin/audit", admin2).body();
    assertThat(new JsonObject(audit).getJsonArray("changes").stream().map(c -> ((JsonObject) c).getString("action")
        + " " + ((JsonObject) c).getString("subject") + " by " + ((JsonObject) c).getString("actor")))
        .containsExactly("operator.created erin by alice", "operator.updated bob by alice");
    assertThat(audit).contains("password").doesNotContain("bob-new-passphrase").doesNotContain("erin-passphrase-1");

    // the ended chat, its transcript and its stats
    JsonObject transcript = after.chat(ended, admin2);
    assertThat(transcript.getString("state")).isEqualTo("closed");
    assertThat(transcript.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
        .containsExactly("Where is my book?", "On its way to your branch.");
    JsonObject totals = after.get("/api/v1/stats", admin2).json().getJsonObject("totals");
    assertThat(totals.getInteger("asked")).as("both chats counted: %s", totals).isEqualTo(2);

    // the running chat resumes for its guest and its librarian, nothing lost
    FrameClient samAgain = resumeFromTheStart(after, started);
    List<JsonObject> replayed = new ArrayList<>();
    JsonObject frame = replayUntilResumed(samAgain, replayed);
    assertThat(frame.getString("state")).isEqualTo("active");
    assertThat(replayed.stream().filter(m -> "guest".equals(m.getString("from"))).map(m -> m.getString("text")))
        .containsExactly("first question", "second question");
    long lastSeq = replayed.get(replayed.size() - 1).getLong("seq");
    FrameClient aliceAgain = FrameClient.operator(after, "alice", admin2);
    JsonObject held = aliceAgain.next("accepted", f -> running.equals(f.getString("chatId")), TestNode.TIMEOUT);
    assertThat(held.getJsonArray("history").stream().map(m -> ((JsonObject) m).getString("text")))
        .contains("first question", "second question");
    // numbering goes on (the sweep may have told the guest "Alice lost their connection" in between)
    long seq = samAgain.say("are you still there?").getLong("seq");
    assertThat(seq).isGreaterThan(lastSeq);
    assertThat(aliceAgain.next("message", f -> f.getLong("seq") == seq, TestNode.TIMEOUT).getString("text"))
        .isEqualTo("are you still there?");
  }

  @Test
  void aChatNobodyAnsweredYetIsPutBackForItsGuestAfterAKill() throws Exception {
    Path config = config();
    TestNode before = startNode(config, "waiting-before-kill");
    // nobody signed in: the chat waits in line, and nothing but its start and messages changes it
    FrameClient pat = FrameClient.guest(before);
    JsonObject started = pat.start("ill", "Pat");
    String waiting = started.getString("chatId");
    assertThat(pat.say("Is the map room open on Sunday?").getLong("seq")).isEqualTo(1L);
    assertThat(pat.say("I need the 1890 county atlas.").getLong("seq")).isEqualTo(2L);

    node.kill(); // right after the acknowledgements
    pat.close();
    TestNode after = startNode(config, "waiting-after-kill");

    FrameClient patAgain = resumeFromTheStart(after, started);
    List<JsonObject> replayed = new ArrayList<>();
    JsonObject frame = replayUntilResumed(patAgain, replayed);
    assertThat(frame.getString("state")).isEqualTo("waiting");
    assertThat(replayed.stream().map(m -> m.getString("text")))
        .containsExactly("Is the map room open on Sunday?", "I need the 1890 county atlas.");
    // and a librarian who signs in now gets it
    String admin = after.login("alice");
    FrameClient alice = FrameClient.operator(after, "alice", admin);
    alice.available("ill", true);
    alice.offerFor(waiting);
    alice.accept(waiting);
    patAgain.next("joined");
    assertThat(patAgain.say("Thanks for picking this up.").getLong("seq")).isEqualTo(3L);
  }

  /**
   * The librarian's console closed, the guest was told, and then the node was killed: the chat put
   * back after the restart does not tell the guest a second time (the sweep restarts the
   * librarian's grace, whose timer was in the lost memory), and that grace still ends as usual.
   */
  @Test
  void aGuestToldTheirLibrarianLeftIsNotToldAgainAfterARestart() throws Exception {
    Path config = folder.resolve("config.json");
    Files.writeString(config, TestNode.builder(clients).guestGraceSeconds(120).operatorGraceSeconds(6).configJson());
    TestNode before = startNode(config, "told-before-kill");
    String admin = before.login("alice");
    FrameClient alice = FrameClient.operator(before, "alice", admin);
    alice.available("ill", true);
    before.awaitPresence("ill", true);
    FrameClient sam = FrameClient.guest(before);
    JsonObject started = sam.start("ill", "Sam");
    String chatId = started.getString("chatId");
    alice.offerFor(chatId);
    alice.accept(chatId);
    sam.next("joined");
    awaitRecorded(folder.resolve("data/switchboard.db"), chatId, "active");
    assertThat(sam.say("Do you have the 1921 census?").getLong("seq")).isEqualTo(1L);
    alice.close();
    String told = "Alice lost their connection; please wait.";
    sam.next("message", f -> told.equals(f.getString("text")), TestNode.TIMEOUT);
    node.kill(); // well within the librarian's grace: the chat is still hers
    sam.close();
    TestNode after = startNode(config, "told-after-kill");

    FrameClient samAgain = resumeFromTheStart(after, started);
    List<String> texts = new ArrayList<>();
    String found = "Finding someone else to help you.";
    JsonObject frame;
    do { // the replay, then what happens live until the librarian's grace, restarted after the restart, ends
      frame = samAgain.nextMatching(f -> "message".equals(f.getString("type")), Duration.ofSeconds(30),
          "a message, until \"" + found + "\"");
      texts.add(frame.getString("text"));
    } while (!found.equals(frame.getString("text")));
    assertThat(texts).as("what the guest saw after the restart").containsOnlyOnce(told)
        .contains("Do you have the 1921 census?");
  }

  /** A guest's new socket on {@code node}, resuming the chat it {@code started} from its first message. */
  private static FrameClient resumeFromTheStart(TestNode node, JsonObject started) {
    FrameClient guest = FrameClient.guest(node);
    guest.send(new JsonObject().put("type", "resume").put("chatId", started.getString("chatId"))
        .put("token", started.getString("token")).put("lastSeq", 0));
    return guest;
  }

  /** Adds the messages a resume replays to {@code replayed}; answers its {@code resumed} frame (an error fails). */
  private static JsonObject replayUntilResumed(FrameClient guest, List<JsonObject> replayed) {
    JsonObject frame;
    while (!"resumed".equals((frame = guest.nextMatching(f -> Set.of("message", "resumed", "error").contains(
        f.getString("type")), TestNode.TIMEOUT, "a replayed message or resumed")).getString("type"))) {
      assertThat(frame.getString("type")).as("resume answered %s", frame).isEqualTo("message");
      replayed.add(frame);
    }
    return frame;
  }

  /** Waits until the record holds the chat in that state (the archive writes in batches). */
  private static void awaitRecorded(Path database, String chatId, String state) {
    TestNode.waitUntil(() -> state.equals(recordedState(database, chatId)), Duration.ofSeconds(10),
        "chat " + chatId + " recorded as " + state);
  }

  private static String recordedState(Path database, String chatId) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
        PreparedStatement s = c.prepareStatement("SELECT state FROM chats WHERE id = ?")) {
      s.setString(1, chatId);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    } catch (SQLException e) {
      return null; // busy or not created yet: asked again
    }
  }
}
