package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * A real chat between a guest and an operator, carried on by a thread of its own while a test
 * attacks the same node: each round the guest says something, the operator must receive it,
 * answers, and the guest must receive the answer. {@link #stopAndVerify} checks that every round
 * went through and that the stored transcript holds exactly the messages sent, in order, once.
 */
final class ChatPulse implements AutoCloseable {
  private static final Duration PAUSE = Duration.ofMillis(400); // under the guest's 30 messages per 10 s

  private final TestNode node;
  private final FrameClient guest;
  private final FrameClient operator;
  private final String chatId;
  private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger rounds = new AtomicInteger();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile Throwable failure;

  private ChatPulse(TestNode node, String operatorId, String queue) {
    this.node = node;
    this.operator = FrameClient.operator(node, operatorId);
    operator.available(queue, true);
    node.awaitPresence(queue, true);
    this.guest = FrameClient.guest(node);
    this.chatId = guest.start(queue, "Pulse").getString("chatId");
    operator.offerFor(chatId);
    operator.accept(chatId);
    guest.next("joined");
    this.thread = new Thread(this::run, "chat-pulse");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts the chat on {@code queue} with {@code operatorId} answering, and its thread. */
  static ChatPulse start(TestNode node, String operatorId, String queue) {
    return new ChatPulse(node, operatorId, queue);
  }

  private void run() {
    try {
      for (int i = 1; !stopping; i++) {
        String question = "pulse question " + i;
        int seq = guest.say(question).getInteger("seq");
        sent.add(question);
        JsonObject atOperator = operator.next("message", m -> m.getInteger("seq") == seq, TestNode.TIMEOUT);
        assertThat(atOperator.getString("text")).isEqualTo(question);
        String answer = "pulse answer " + i;
        int answerSeq = operator.say(chatId, answer).getInteger("seq");
        sent.add(answer);
        JsonObject atGuest = guest.next("message", m -> m.getInteger("seq") == answerSeq, TestNode.TIMEOUT);
        assertThat(atGuest.getString("text")).isEqualTo(answer);
        rounds.incrementAndGet();
        Thread.sleep(PAUSE.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      failure = e;
    }
  }

  int rounds() {
    return rounds.get();
  }

  /** Fails if a round went wrong so far. */
  void assertHealthy() {
    if (failure != null) {
      throw new AssertionError("the chat under attack broke after " + rounds.get() + " rounds: " + failure, failure);
    }
  }

  /** Waits for {@code more} further rounds to go through (the chat carries on after the attack). */
  void awaitRounds(int more, Duration timeout) {
    int target = rounds.get() + more;
    TestNode.waitUntil(() -> failure != null || rounds.get() >= target, timeout, more + " more chat rounds");
    assertHealthy();
  }

  /** Stops the chat and checks the transcript: every message sent, in order, exactly once. */
  void stopAndVerify(String adminToken) {
    stopping = true;
    try {
      thread.join(TestNode.TIMEOUT.toMillis() * 3);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertHealthy();
    assertThat(thread.isAlive()).as("pulse thread ended").isFalse();
    List<String> stored = node.chat(chatId, adminToken).getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m)).filter(m -> !"system".equals(m.getString("from")))
        .map(m -> m.getString("text")).toList();
    assertThat(stored).as("transcript of the chat under attack").containsExactlyElementsOf(List.copyOf(sent));
  }

  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    guest.close();
    operator.close();
  }
}
