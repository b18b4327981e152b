package switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Guest;
import switchboard.domain.OfflineMessage;
import switchboard.store.StateStore.ReplaceResult;

/**
 * The semantics every {@link StateStore} must have (the in-memory store is the reference).
 * Subclasses give a fresh, empty store per test.
 */
@ExtendWith(VertxExtension.class)
public abstract class StateStoreContractTest {
  protected static final Instant T0 = Instant.parse("2026-11-26T10:02:11.123456Z");

  protected StateStore store;
  /** Both implementations also keep part of the record (see {@link RecordParts}). */
  protected RecordParts parts;

  protected abstract Future<StateStore> newStore(Vertx vertx);

  @BeforeEach
  void createStore(Vertx vertx) {
    store = await(newStore(vertx));
    parts = (RecordParts) store;
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  protected static Throwable awaitFailure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
    throw new AssertionError("expected a failure, but the future succeeded");
  }

  protected static <T> List<T> awaitAll(Collection<Future<T>> futures) {
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(await(f));
    }
    return results;
  }

  protected static Chat newChat(String id, Instant at) {
    return Chat.newChat(id, new Guest("Pat", "pat@example.org", "https://example.org/ill"), "hash-" + id, "ill", at);
  }

  protected static Chat offered(Chat c, String... operators) {
    return c.edit().state(ChatState.offered).offeredQueues(List.of(c.queue())).offeredTo(Set.of(operators)).build();
  }

  protected static Chat accepted(Chat c, String operatorId, Instant at) {
    return c.edit().state(ChatState.active).operator(operatorId, operatorId.toUpperCase()).answeredQueue(c.queue())
        .acceptedAt(at).offeredTo(Set.of()).build();
  }

  protected static Chat closed(Chat c, Instant at) {
    return c.edit().state(ChatState.closed).ended(at, "operator").build();
  }

  private Set<String> unansweredIds() {
    return await(store.unansweredChats()).stream().map(Chat::id).collect(Collectors.toSet());
  }

  // ---- chats -------------------------------------------------------------------------------

  @Test
  void createdChatReadsBackEqualAndDuplicatesFail() {
    Chat c = newChat("c1", T0);
    await(store.createChat(c));
    assertThat(await(store.chat("c1"))).isEqualTo(c);
    assertThat(await(store.chat("nope"))).isNull();
    assertThat(awaitFailure(store.createChat(newChat("c1", T0.plusSeconds(1))))).hasMessageContaining("c1");
    assertThat(await(store.chat("c1"))).isEqualTo(c);
  }

  @Test
  void everyFieldSurvivesAReplace() {
    Chat c = newChat("c1", T0);
    await(store.createChat(c));
    Chat full = c.edit().state(ChatState.offered).offeredQueues(List.of("ill", "general")).offeredTo(Set.of("a", "b"))
        .directOperator("bob").widenPending(true).queue("general").build();
    assertThat(await(store.replaceChat(c, full, 5))).isEqualTo(ReplaceResult.REPLACED);
    Chat done = full.edit().state(ChatState.closed).operator("bob", "Bob").answeredQueue("general")
        .acceptedAt(T0.plusNanos(1)).ended(T0.plusSeconds(60), "guest").build();
    assertThat(await(store.replaceChat(full, done, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.chat("c1"))).isEqualTo(done);
  }

  /** Issue 15: once the record holds an ended chat, the state store forgets it, not before, not a newer one. */
  @Test
  void anEndedChatIsForgottenOnlyAtTheVersionTheRecordHolds() {
    Chat c = newChat("gone", T0);
    await(store.createChat(c));
    await(store.appendMessage("gone", "guest", "Pat", "hello", T0.plusSeconds(1), "c1"));
    await(store.appendChatEvent("gone", new ChatEvent(T0, ChatEvent.ASKED, "ill", null)));
    assertThat(await(store.forgetEndedChat("gone", c.version()))).as("still waiting").isFalse();
    Chat ended = c.edit().state(ChatState.abandoned).ended(T0.plusSeconds(30), "guest").build();
    assertThat(await(store.replaceChat(c, ended, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.forgetEndedChat("gone", c.version()))).as("the record holds an older version").isFalse();
    assertThat(await(store.chat("gone"))).isEqualTo(ended);

    assertThat(await(store.forgetEndedChat("gone", ended.version()))).isTrue();
    assertThat(await(store.chat("gone"))).isNull();
    assertThat(await(store.messagesAfter("gone", 0))).isEmpty();
    assertThat(await(store.chatEvents("gone"))).isEmpty();
    assertThat(await(store.chatsCreatedBetween(T0.minusSeconds(1), T0.plusSeconds(1)))).isEmpty();
    assertThat(await(store.forgetEndedChat("gone", ended.version()))).as("gone already").isFalse();
  }

  @Test
  void replaceIsACompareAndSetOnTheVersion() {
    Chat v1 = newChat("c1", T0);
    await(store.createChat(v1));
    Chat v2 = offered(v1, "alice");
    assertThat(await(store.replaceChat(v1, v2, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.chat("c1")).version()).isEqualTo(2);
    // a writer still holding v1 loses
    assertThat(await(store.replaceChat(v1, offered(v1, "bob"), 5))).isEqualTo(ReplaceResult.STALE);
    assertThat(await(store.chat("c1"))).isEqualTo(v2);
    // no such chat
    Chat ghost = newChat("ghost", T0);
    assertThat(await(store.replaceChat(ghost, offered(ghost), 5))).isEqualTo(ReplaceResult.STALE);
    assertThat(await(store.chat("ghost"))).isNull();
  }

  @Test
  void indexesFollowTheLifecycle() {
    Chat waiting = newChat("c1", T0);
    await(store.createChat(waiting));
    assertThat(unansweredIds()).containsExactly("c1");
    assertThat(await(store.heldChats("alice"))).isEmpty();

    Chat offered = offered(waiting, "alice", "bob");
    assertThat(await(store.replaceChat(waiting, offered, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(unansweredIds()).containsExactly("c1");
    assertThat(await(store.unansweredChats()).get(0).state()).isEqualTo(ChatState.offered);

    Chat active = accepted(offered, "alice", T0.plusSeconds(5));
    assertThat(await(store.replaceChat(offered, active, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(unansweredIds()).isEmpty();
    assertThat(await(store.heldChats("alice"))).containsExactly("c1");
    assertThat(await(store.heldCounts())).containsEntry("alice", 1);

    // a change that keeps the same holder does not count twice
    Chat typing = active.edit().widenPending(false).build();
    assertThat(await(store.replaceChat(active, typing, 1))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.heldCounts())).containsEntry("alice", 1);

    Chat done = closed(typing, T0.plusSeconds(60));
    assertThat(await(store.replaceChat(typing, done, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.heldChats("alice"))).isEmpty();
    assertThat(await(store.heldCounts()).getOrDefault("alice", 0)).isZero();
    assertThat(unansweredIds()).isEmpty();
  }

  @Test
  void transferGoesBackToTheLineAndToAnotherOperator() {
    Chat c = newChat("c1", T0);
    await(store.createChat(c));
    Chat active = accepted(c, "alice", T0.plusSeconds(1));
    assertThat(await(store.replaceChat(c, active, 5))).isEqualTo(ReplaceResult.REPLACED);

    Chat back = active.edit().backToWaiting().queue("general").waitingSince(T0.plusSeconds(30)).build();
    assertThat(await(store.replaceChat(active, back, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.heldChats("alice"))).isEmpty();
    assertThat(unansweredIds()).containsExactly("c1");

    Chat toBob = accepted(back, "bob", T0.plusSeconds(40));
    assertThat(await(store.replaceChat(back, toBob, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.heldChats("bob"))).containsExactly("c1");
    assertThat(await(store.heldChats("alice"))).isEmpty();
    assertThat(unansweredIds()).isEmpty();

    // a direct hand-over from bob to carol (active → active with another operator)
    Chat toCarol = toBob.edit().operator("carol", "Carol").build();
    assertThat(await(store.replaceChat(toBob, toCarol, 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.heldChats("bob"))).isEmpty();
    assertThat(await(store.heldChats("carol"))).containsExactly("c1");
    Map<String, Integer> counts = await(store.heldCounts());
    assertThat(counts.getOrDefault("bob", 0)).isZero();
    assertThat(counts).containsEntry("carol", 1);
  }

  @Test
  void takingAChatBeyondCapacityIsRefusedAndChangesNothing() {
    Chat a = newChat("a", T0);
    Chat b = newChat("b", T0.plusSeconds(1));
    await(store.createChat(a));
    await(store.createChat(b));
    Chat aActive = accepted(a, "alice", T0.plusSeconds(2));
    assertThat(await(store.replaceChat(a, aActive, 1))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.replaceChat(b, accepted(b, "alice", T0.plusSeconds(3)), 1)))
        .isEqualTo(ReplaceResult.AT_CAPACITY);
    assertThat(await(store.chat("b"))).isEqualTo(b);
    assertThat(await(store.heldChats("alice"))).containsExactly("a");
    assertThat(unansweredIds()).containsExactly("b");
    // with room, the same write goes through
    assertThat(await(store.replaceChat(b, accepted(b, "alice", T0.plusSeconds(3)), 2)))
        .isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.heldChats("alice"))).containsExactlyInAnyOrder("a", "b");
    assertThat(await(store.heldCounts())).containsEntry("alice", 2);
    // capacity only guards taking a new chat: an update of a held chat passes at capacity
    Chat aNote = aActive.edit().queue("general").build();
    assertThat(await(store.replaceChat(aActive, aNote, 1))).isEqualTo(ReplaceResult.REPLACED);
  }

  @Test
  void unansweredChatsComeOldestFirst() {
    await(store.createChat(newChat("c3", T0.plusSeconds(2))));
    await(store.createChat(newChat("c1", T0)));
    await(store.createChat(newChat("c2", T0.plusMillis(1))));
    await(store.createChat(newChat("c0", T0.plusNanos(1_000)))); // one microsecond later than c1
    await(store.createChat(newChat("b2", T0.plusMillis(1)))); // same instant as c2: by id
    assertThat(await(store.unansweredChats())).extracting(Chat::id).containsExactly("c1", "c0", "b2", "c2", "c3");

    // c1 answered leaves the line; c3 sent back with a new waitingSince goes to the end
    Chat c1 = await(store.chat("c1"));
    await(store.replaceChat(c1, accepted(c1, "alice", T0.plusSeconds(3)), 5));
    Chat c0 = await(store.chat("c0"));
    Chat c0Back = c0.edit().waitingSince(T0.plusSeconds(10)).build();
    await(store.replaceChat(c0, c0Back, 5));
    assertThat(await(store.unansweredChats())).extracting(Chat::id).containsExactly("b2", "c2", "c3", "c0");
    assertThat(await(store.unansweredChats()).get(3)).isEqualTo(c0Back);
  }

  // ---- transcripts -------------------------------------------------------------------------

  @Test
  void appendToChatChecksTheChatAndAppendsInOneStep() {
    Instant at = T0.plusSeconds(1);
    assertThat(await(store.appendToChat("ghost", ChatMessage.FROM_GUEST, null, "hi", at, "g1")).outcome())
        .isEqualTo(ChatAppend.Outcome.NO_CHAT);
    Chat c = newChat("c1", T0);
    await(store.createChat(c));
    // waiting: the guest may write (the operator reads it on accepting), nobody holds it
    ChatAppend first = await(store.appendToChat("c1", ChatMessage.FROM_GUEST, null, "hello </script> ✓", at, "g1"));
    assertThat(first.outcome()).isEqualTo(ChatAppend.Outcome.APPENDED);
    assertThat(first.state()).isEqualTo(ChatState.waiting);
    assertThat(first.operatorId()).isNull();
    assertThat(first.sms()).isFalse();
    assertThat(first.message()).isEqualTo(new ChatMessage(1, "guest", "Pat", "hello </script> ✓", at));
    // an operator who does not hold it: refused, nothing stored
    assertThat(await(store.appendToChat("c1", ChatMessage.FROM_OPERATOR, "alice", "hi", at, "o1")).outcome())
        .isEqualTo(ChatAppend.Outcome.NOT_HELD);
    assertThat(await(store.replaceChat(c, accepted(c, "alice", at), 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.appendToChat("c1", ChatMessage.FROM_OPERATOR, "bob", "hi", at, "o1")).outcome())
        .isEqualTo(ChatAppend.Outcome.NOT_HELD);
    ChatAppend reply = await(store.appendToChat("c1", ChatMessage.FROM_OPERATOR, "alice", "hi \"Pat\"", at, "o1"));
    assertThat(reply.outcome()).isEqualTo(ChatAppend.Outcome.APPENDED);
    assertThat(reply.state()).isEqualTo(ChatState.active);
    assertThat(reply.operatorId()).isEqualTo("alice");
    assertThat(reply.message()).isEqualTo(new ChatMessage(2, "operator", "ALICE", "hi \"Pat\"", at));
    // a resend: the message stored then, nothing new
    ChatAppend resent = await(store.appendToChat("c1", ChatMessage.FROM_GUEST, null, "hello </script> ✓",
        at.plusSeconds(5), "g1"));
    assertThat(resent.message()).isEqualTo(first.message());
    assertThat(await(store.appendMessage("c1", ChatMessage.FROM_SYSTEM, null, "x", at, null)).seq()).isEqualTo(3);
    // ended: refused for both sides, nothing stored
    Chat stored = await(store.chat("c1"));
    assertThat(await(store.replaceChat(stored, closed(stored, at), 5))).isEqualTo(ReplaceResult.REPLACED);
    assertThat(await(store.appendToChat("c1", ChatMessage.FROM_GUEST, null, "late", at, "g2")).outcome())
        .isEqualTo(ChatAppend.Outcome.ENDED);
    assertThat(await(store.appendToChat("c1", ChatMessage.FROM_OPERATOR, "alice", "late", at, "o2")).outcome())
        .isEqualTo(ChatAppend.Outcome.ENDED);
    assertThat(await(store.messagesAfter("c1", 0))).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L);
  }

  @Test
  void messagesAreNumberedPerChatAndResendsAreRecognised() {
    Instant at = T0.plusSeconds(1);
    ChatMessage m1 = await(store.appendMessage("c1", ChatMessage.FROM_GUEST, "Pat", "hello", at, "g1"));
    ChatMessage m2 = await(store.appendMessage("c1", ChatMessage.FROM_OPERATOR, "Alice", "hi \"Pat\" ✓\nline2", at.plusNanos(5), "o1"));
    ChatMessage m3 = await(store.appendMessage("c1", ChatMessage.FROM_SYSTEM, null, "Alice joined", at.plusSeconds(1), null));
    assertThat(List.of(m1.seq(), m2.seq(), m3.seq())).containsExactly(1L, 2L, 3L);
    assertThat(m2).isEqualTo(new ChatMessage(2, "operator", "Alice", "hi \"Pat\" ✓\nline2", at.plusNanos(5)));
    assertThat(m3.name()).isNull();

    // a resend (same sender, clientId and text): the message stored then, with its time, nothing new
    ChatMessage again = await(store.appendMessage("c1", ChatMessage.FROM_GUEST, "Pat", "hello", at.plusSeconds(9), "g1"));
    assertThat(again).isEqualTo(m1);
    ChatMessage again2 = await(store.appendMessage("c1", ChatMessage.FROM_OPERATOR, "Alice", "hi \"Pat\" ✓\nline2", at, "o1"));
    assertThat(again2).isEqualTo(m2);
    // the same clientId from another sender is another message
    ChatMessage other = await(store.appendMessage("c1", ChatMessage.FROM_OPERATOR, "Alice", "hello", at, "g1"));
    assertThat(other.seq()).isEqualTo(4);
    // no clientId: never deduplicated
    assertThat(await(store.appendMessage("c1", ChatMessage.FROM_SYSTEM, null, "Alice joined", at, null)).seq()).isEqualTo(5);
    // the same clientId with another text: a client that restarted its counter, a new message...
    ChatMessage restarted = await(store.appendMessage("c1", ChatMessage.FROM_GUEST, "Pat", "new text", at, "g1"));
    assertThat(restarted.seq()).isEqualTo(6);
    // ...which later resends are compared with
    assertThat(await(store.appendMessage("c1", ChatMessage.FROM_GUEST, "Pat", "new text", at, "g1"))).isEqualTo(restarted);
    // another chat numbers from 1
    assertThat(await(store.appendMessage("c2", ChatMessage.FROM_GUEST, "Sam", "x", at, "g1")).seq()).isEqualTo(1);

    assertThat(await(store.messagesAfter("c1", 0))).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(await(store.messagesAfter("c1", -3))).hasSize(6);
    assertThat(await(store.messagesAfter("c1", 3))).extracting(ChatMessage::seq).containsExactly(4L, 5L, 6L);
    assertThat(await(store.messagesAfter("c1", 6))).isEmpty();
    assertThat(await(store.messagesAfter("c1", 99))).isEmpty();
    assertThat(await(store.messagesAfter("none", 0))).isEmpty();
    assertThat(await(store.messagesAfter("c1", 1)).get(0)).isEqualTo(m2);
  }

  @Test
  void concurrentAppendsGetDistinctConsecutiveSeqs() {
    List<Future<ChatMessage>> appends = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      appends.add(store.appendMessage("c1", ChatMessage.FROM_GUEST, "Pat", "m" + i, T0, "c" + i));
    }
    // and 100 retries of the same ids at the same time
    for (int i = 0; i < 100; i++) {
      appends.add(store.appendMessage("c1", ChatMessage.FROM_GUEST, "Pat", "m" + i, T0, "c" + i));
    }
    List<ChatMessage> results = awaitAll(appends);
    for (int i = 0; i < 100; i++) {
      assertThat(results.get(100 + i)).isEqualTo(results.get(i));
      assertThat(results.get(i).text()).isEqualTo("m" + i);
    }
    assertThat(results.subList(0, 100)).extracting(ChatMessage::seq).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 100).mapToObj(Long::valueOf).toList());
    List<ChatMessage> transcript = await(store.messagesAfter("c1", 0));
    assertThat(transcript).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(transcript.get(i).seq()).isEqualTo(i + 1);
    }
  }

  // ---- timers ------------------------------------------------------------------------------

  @Test
  void timersFireWhenDueAndCanBeMovedOrCancelled() {
    await(store.scheduleTimer("rollover:a", T0.plusSeconds(10)));
    await(store.scheduleTimer("rollover:b", T0.plusSeconds(5)));
    await(store.scheduleTimer("rollover:c", T0.plusSeconds(7)));
    assertThat(await(store.claimDueTimers(T0.plusSeconds(4), 10))).isEmpty();
    // due exactly now counts
    assertThat(await(store.claimDueTimers(T0.plusSeconds(5), 10))).containsExactly("rollover:b");
    assertThat(await(store.claimDueTimers(T0.plusSeconds(5), 10))).isEmpty();
    // move a earlier, cancel c
    await(store.scheduleTimer("rollover:a", T0.plusSeconds(1)));
    await(store.cancelTimer("rollover:c"));
    await(store.cancelTimer("rollover:never-set"));
    assertThat(await(store.claimDueTimers(T0.plusSeconds(6), 10))).containsExactly("rollover:a");
    await(store.completeTimer("rollover:a"));
    await(store.completeTimer("rollover:b"));
    assertThat(await(store.claimDueTimers(T0.plusSeconds(600), 10))).isEmpty();
    // moving later postpones
    await(store.scheduleTimer("rollover:d", T0.plusSeconds(1)));
    await(store.scheduleTimer("rollover:d", T0.plusSeconds(100)));
    assertThat(await(store.claimDueTimers(T0.plusSeconds(50), 10))).isEmpty();
    assertThat(await(store.claimDueTimers(T0.plusSeconds(100), 10))).containsExactly("rollover:d");
  }

  @Test
  void aClaimedTimerWhoseFiringIsNotCompletedIsDueAgainWhenItsLeaseRunsOut() {
    await(store.scheduleTimer("rollover:a", T0));
    assertThat(await(store.claimDueTimers(T0, 10))).containsExactly("rollover:a");
    // leased: nobody else gets it while its firing may still complete
    assertThat(await(store.claimDueTimers(T0.plus(StateStore.TIMER_LEASE).minusMillis(1), 10))).isEmpty();
    // its node died (or lost the store) mid-action: due again
    assertThat(await(store.claimDueTimers(T0.plus(StateStore.TIMER_LEASE), 10))).containsExactly("rollover:a");
    await(store.completeTimer("rollover:a"));
    assertThat(await(store.claimDueTimers(T0.plusSeconds(600), 10))).isEmpty();
  }

  @Test
  void aReleasedTimerIsDueWhenReleasedToAndACompletedOneKeepsItsNewSchedule() {
    await(store.scheduleTimer("rollover:a", T0));
    await(store.scheduleTimer("rollover:b", T0));
    assertThat(await(store.claimDueTimers(T0, 10))).containsExactlyInAnyOrder("rollover:a", "rollover:b");
    // a's action failed: due again half a second later, not a whole lease later
    await(store.releaseTimer("rollover:a", T0.plusMillis(500)));
    // b's action scheduled its next stage before completing
    await(store.scheduleTimer("rollover:b", T0.plusSeconds(75)));
    await(store.completeTimer("rollover:b"));
    assertThat(await(store.claimDueTimers(T0.plusMillis(499), 10))).isEmpty();
    assertThat(await(store.claimDueTimers(T0.plusMillis(500), 10))).containsExactly("rollover:a");
    await(store.completeTimer("rollover:a"));
    assertThat(await(store.claimDueTimers(T0.plusSeconds(74), 10))).isEmpty();
    assertThat(await(store.claimDueTimers(T0.plusSeconds(75), 10))).containsExactly("rollover:b");
    // cancelling a leased timer ends its lease too
    await(store.cancelTimer("rollover:b"));
    assertThat(await(store.claimDueTimers(T0.plusSeconds(600), 10))).isEmpty();
  }

  @Test
  void claimHandsOutAtMostMaxEarliestFirst() {
    for (int i = 0; i < 5; i++) {
      await(store.scheduleTimer("t" + i, T0.plusSeconds(5 - i)));
    }
    assertThat(await(store.claimDueTimers(T0.plusSeconds(10), 2))).containsExactly("t4", "t3");
    assertThat(await(store.claimDueTimers(T0.plusSeconds(10), 0))).isEmpty();
    assertThat(await(store.claimDueTimers(T0.plusSeconds(10), 10))).containsExactly("t2", "t1", "t0");
  }

  @Test
  void concurrentClaimsHandEachDueTimerToOneCallerOnly() {
    for (int i = 0; i < 200; i++) {
      await(store.scheduleTimer("t" + i, T0.plusMillis(i)));
    }
    await(store.scheduleTimer("later", T0.plusSeconds(3600)));
    List<Future<List<String>>> claims = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      claims.add(store.claimDueTimers(T0.plusSeconds(1), 7));
    }
    List<String> all = awaitAll(claims).stream().flatMap(List::stream).toList();
    assertThat(all).doesNotHaveDuplicates().hasSize(200).doesNotContain("later");
    assertThat(await(store.claimDueTimers(T0.plusSeconds(1), 1000))).isEmpty();
  }

  // ---- presence ----------------------------------------------------------------------------

  @Test
  void connectedOperatorsAndTheirChosenQueues() {
    assertThat(await(store.connectedOperators())).isEmpty();
    await(store.setChosenQueues("alice", Set.of("ill", "general")));
    assertThat(await(store.connectedOperators())).isEmpty(); // chosen but not connected

    await(store.setConnected("alice", "node-a", true));
    await(store.setConnected("bob", "node-b", true));
    assertThat(await(store.connectedOperators()))
        .isEqualTo(Map.of("alice", Set.of("ill", "general"), "bob", Set.of()));

    // a second socket on another node; losing one node keeps her connected
    await(store.setConnected("alice", "node-b", true));
    await(store.setConnected("alice", "node-a", false));
    assertThat(await(store.connectedOperators())).containsKey("alice");
    await(store.setConnected("alice", "node-b", false));
    assertThat(await(store.connectedOperators())).isEqualTo(Map.of("bob", Set.of()));

    // chosen queues are kept across a reconnect and can change
    await(store.setConnected("alice", "node-a", true));
    assertThat(await(store.connectedOperators())).containsEntry("alice", Set.of("ill", "general"));
    await(store.setChosenQueues("alice", Set.of()));
    assertThat(await(store.connectedOperators())).containsEntry("alice", Set.of());
    // repeating a heartbeat is harmless
    await(store.setConnected("alice", "node-a", true));
    await(store.setConnected("bob", "node-b", false));
    await(store.setConnected("bob", "node-b", false));
    assertThat(await(store.connectedOperators())).isEqualTo(Map.of("alice", Set.of()));
  }

  @Test
  void aGuestCountsAsConnectedWhileAnyNodeHoldsOneOfTheirSockets() {
    await(store.nodeAlive("node-a"));
    await(store.nodeAlive("node-b"));
    assertThat(await(store.guestConnected("c1"))).isFalse();
    await(store.setGuestConnected("c1", "node-a", true));
    assertThat(await(store.guestConnected("c1"))).isTrue();
    // the guest resumed on B, then their old socket on A closed: still connected
    await(store.setGuestConnected("c1", "node-b", true));
    await(store.setGuestConnected("c1", "node-a", false));
    assertThat(await(store.guestConnected("c1"))).isTrue();
    await(store.setGuestConnected("c1", "node-b", false));
    assertThat(await(store.guestConnected("c1"))).isFalse();
    assertThat(await(store.guestsLeftOnDeadNodes())).isEmpty();
  }

  @Test
  void aNodeCountedAgainHoldsExactlyItsGuests() {
    await(store.nodeAlive("node-a"));
    await(store.setGuestConnected("c1", "node-a", true));
    await(store.setGuestConnected("c2", "node-a", true));
    // c2's detach was lost while the store was away; c3 attached meanwhile
    assertThat(await(store.replaceGuestChats("node-a", Set.of("c1", "c3")))).containsExactly("c2");
    assertThat(await(store.guestConnected("c1"))).isTrue();
    assertThat(await(store.guestConnected("c2"))).isFalse();
    assertThat(await(store.guestConnected("c3"))).isTrue();
    assertThat(await(store.replaceGuestChats("node-a", Set.of()))).containsExactlyInAnyOrder("c1", "c3");
    assertThat(await(store.guestConnected("c1"))).isFalse();
  }

  // ---- sessions ----------------------------------------------------------------------------

  @Test
  void sessionsLiveUntilTheyExpireOrAreDeleted() {
    Instant now = Instant.now();
    await(store.putSession("h1", "alice", now.plusSeconds(3600)));
    await(store.putSession("h2", "bob", now.plusSeconds(3600)));
    assertThat(await(store.sessionOperator("h1", now))).isEqualTo("alice");
    assertThat(await(store.sessionOperator("nope", now))).isNull();
    // past its end (as the caller's clock says) it is gone, for good
    assertThat(await(store.sessionOperator("h1", now.plusSeconds(3600)))).isNull();
    assertThat(await(store.sessionOperator("h1", now))).isNull();
    await(store.deleteSession("h2"));
    assertThat(await(store.sessionOperator("h2", now))).isNull();
    await(store.deleteSession("never"));
    // already expired when stored
    await(store.putSession("h3", "carol", now.minusSeconds(1)));
    assertThat(await(store.sessionOperator("h3", now))).isNull();
  }

  @Test
  void pingAnswers() {
    await(store.ping());
  }

  // ---- races -------------------------------------------------------------------------------

  @Test
  void ofTwentyConcurrentAcceptsExactlyOneWins() {
    Chat c = newChat("c1", T0);
    await(store.createChat(c));
    List<String> operators = IntStream.range(0, 20).mapToObj(i -> "op" + i).toList();
    Chat ringing = offered(c, operators.toArray(String[]::new));
    await(store.replaceChat(c, ringing, 5));

    List<Future<ReplaceResult>> accepts = new ArrayList<>();
    for (String op : operators) {
      accepts.add(store.replaceChat(ringing, accepted(ringing, op, T0.plusSeconds(1)), 5));
    }
    List<ReplaceResult> results = awaitAll(accepts);
    assertThat(results).filteredOn(r -> r == ReplaceResult.REPLACED).hasSize(1);
    assertThat(results).filteredOn(r -> r == ReplaceResult.STALE).hasSize(19);
    String winner = operators.get(results.indexOf(ReplaceResult.REPLACED));
    assertThat(await(store.chat("c1")).operatorId()).isEqualTo(winner);
    Map<String, Integer> counts = await(store.heldCounts());
    assertThat(counts).containsEntry(winner, 1);
    assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
    assertThat(unansweredIds()).isEmpty();
  }

  @Test
  void concurrentAcceptsByOneOperatorStopAtCapacity() {
    List<Chat> ringing = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Chat c = newChat("c" + i, T0.plusSeconds(i));
      await(store.createChat(c));
      Chat o = offered(c, "alice");
      await(store.replaceChat(c, o, 3));
      ringing.add(o);
    }
    List<Future<ReplaceResult>> accepts = new ArrayList<>();
    for (Chat o : ringing) {
      accepts.add(store.replaceChat(o, accepted(o, "alice", T0.plusSeconds(30)), 3));
    }
    List<ReplaceResult> results = awaitAll(accepts);
    assertThat(results).filteredOn(r -> r == ReplaceResult.REPLACED).hasSize(3);
    assertThat(results).filteredOn(r -> r == ReplaceResult.AT_CAPACITY).hasSize(7);
    Set<String> held = await(store.heldChats("alice"));
    assertThat(held).hasSize(3);
    Set<String> won = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      if (results.get(i) == ReplaceResult.REPLACED) {
        won.add("c" + i);
      }
    }
    assertThat(held).isEqualTo(won);
    assertThat(await(store.unansweredChats())).hasSize(7);
    assertThat(await(store.heldCounts())).containsEntry("alice", 3);
  }

  // ---- offline messages --------------------------------------------------------------------

  private static OfflineMessage offline(String id, Instant at) {
    return new OfflineMessage(id, "ill", "Pat", "pat@example.org", "Where is my book?", "https://x", at, false, null,
        null);
  }

  @Test
  void aValueIsSetOnceUntilItExpires() throws InterruptedException {
    assertThat(await(store.putIfAbsent("sid:SM1", "1", java.time.Duration.ofMillis(300)))).isTrue();
    assertThat(await(store.putIfAbsent("sid:SM1", "2", java.time.Duration.ofMillis(300)))).isFalse();
    assertThat(await(store.value("sid:SM1"))).isEqualTo("1");
    await(store.putValue("chat-of:+1555", "c1", java.time.Duration.ofSeconds(30)));
    await(store.putValue("chat-of:+1555", "c2", java.time.Duration.ofSeconds(30)));
    assertThat(await(store.value("chat-of:+1555"))).isEqualTo("c2");
    assertThat(await(store.value("nothing"))).isNull();
    Thread.sleep(400);
    assertThat(await(store.value("sid:SM1"))).isNull();
    assertThat(await(store.putIfAbsent("sid:SM1", "3", java.time.Duration.ofSeconds(5)))).isTrue();
  }

  @Test
  void timelinesKeepTheirStepsInOrderPerChat() {
    assertThat(await(store.chatEvents("c1"))).isEmpty();
    ChatEvent asked = new ChatEvent(T0, ChatEvent.ASKED, "ill", null);
    ChatEvent offered = new ChatEvent(T0.plusSeconds(1), ChatEvent.OFFERED, "ill", null);
    ChatEvent accepted = new ChatEvent(T0.plusSeconds(80), ChatEvent.ACCEPTED, "general", "bob");
    await(store.appendChatEvent("c1", asked));
    await(store.appendChatEvent("c2", offered));
    await(store.appendChatEvent("c1", offered));
    await(store.appendChatEvent("c1", accepted));
    assertThat(await(store.chatEvents("c1"))).containsExactly(asked, offered, accepted);
    assertThat(await(store.chatEvents("c2"))).containsExactly(offered);
  }

  @Test
  void cannedResponsesAreCreatedReplacedAndDeleted() {
    CannedResponse hours = new CannedResponse("r1", "ill", null, "hours", "We are open 9 to 5.");
    CannedResponse mine = new CannedResponse("r2", null, "alice", "hi", "Hello, I'm Alice.");
    await(parts.putCannedResponse(hours));
    await(parts.putCannedResponse(mine));
    assertThat(await(parts.cannedResponses())).containsExactlyInAnyOrder(hours, mine);
    CannedResponse changed = new CannedResponse("r1", "ill", null, "hours", "We are open 9 to 6.");
    await(parts.putCannedResponse(changed));
    assertThat(await(parts.cannedResponses())).containsExactlyInAnyOrder(changed, mine);
    assertThat(await(parts.deleteCannedResponse("r2"))).isTrue();
    assertThat(await(parts.deleteCannedResponse("r2"))).isFalse();
    assertThat(await(parts.cannedResponses())).containsExactly(changed);
  }

  @Test
  void offlineMessagesNewestFirstAndMarkedDoneOnce() {
    assertThat(await(parts.offlineMessages())).isEmpty();
    await(parts.addOfflineMessage(offline("m1", T0)));
    await(parts.addOfflineMessage(offline("m2", T0.plusSeconds(5))));
    await(parts.addOfflineMessage(offline("m3", T0.plusSeconds(1))));
    assertThat(await(parts.offlineMessages())).extracting(OfflineMessage::id).containsExactly("m2", "m3", "m1");

    OfflineMessage done = await(parts.markOfflineMessageDone("m1", "alice", T0.plusSeconds(60)));
    assertThat(done).isEqualTo(offline("m1", T0).markDone("alice", T0.plusSeconds(60)));
    // marking again (by anyone) keeps the first record
    assertThat(await(parts.markOfflineMessageDone("m1", "bob", T0.plusSeconds(90)))).isEqualTo(done);
    assertThat(await(parts.markOfflineMessageDone("nope", "bob", T0))).isNull();
    assertThat(await(parts.offlineMessages())).filteredOn(OfflineMessage::done).containsExactly(done);
  }

  @Test
  void concurrentMarksAgreeOnWhoHandledTheMessage() {
    await(parts.addOfflineMessage(offline("m1", T0)));
    List<Future<OfflineMessage>> marks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      marks.add(parts.markOfflineMessageDone("m1", "op" + i, T0.plusSeconds(i)));
    }
    List<OfflineMessage> results = awaitAll(marks);
    assertThat(results).allMatch(OfflineMessage::done);
    assertThat(results.stream().map(OfflineMessage::doneBy).distinct()).hasSize(1);
    assertThat(await(parts.offlineMessages())).containsExactly(results.get(0));
  }

  // ---- sign-in attempts --------------------------------------------------------------------

  private static final java.time.Duration QUARTER_HOUR = java.time.Duration.ofMinutes(15);

  @Test
  void loginAttemptsAreCountedPerUsernameUntilCleared() {
    for (long i = 1; i <= 7; i++) {
      assertThat(await(store.countLoginAttempt("carol", 5, QUARTER_HOUR))).as("attempt %d", i).isEqualTo(i);
    }
    // other usernames have their own count; the empty, long and odd ones too
    assertThat(await(store.countLoginAttempt("dave", 5, QUARTER_HOUR))).isEqualTo(1);
    String odd = "a:b*{x}\n<img src=x>" + "z".repeat(60);
    assertThat(await(store.countLoginAttempt(odd, 5, QUARTER_HOUR))).isEqualTo(1);
    assertThat(await(store.countLoginAttempt("carol:x", 5, QUARTER_HOUR))).isEqualTo(1);
    // a successful sign-in forgets the count of that username only
    await(store.clearLoginAttempts("carol"));
    assertThat(await(store.countLoginAttempt("carol", 5, QUARTER_HOUR))).isEqualTo(1);
    assertThat(await(store.countLoginAttempt("dave", 5, QUARTER_HOUR))).isEqualTo(2);
    assertThat(await(store.countLoginAttempt(odd, 5, QUARTER_HOUR))).isEqualTo(2);
    await(store.clearLoginAttempts("nobody-counted"));
  }

  @Test
  void concurrentLoginAttemptsAreEachCountedOnce() {
    List<Future<Long>> attempts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      attempts.add(store.countLoginAttempt("carol", 5, QUARTER_HOUR));
    }
    assertThat(awaitAll(attempts)).containsExactlyInAnyOrderElementsOf(
        IntStream.rangeClosed(1, 40).mapToObj(i -> (long) i).toList());
  }

  @Test
  void loginAttemptsAreForgottenAWindowAfterTheFirstAndALockLastsAWholeWindow() throws InterruptedException {
    java.time.Duration window = java.time.Duration.ofMillis(2000);
    assertThat(await(store.countLoginAttempt("carol", 3, window))).isEqualTo(1);
    assertThat(await(store.countLoginAttempt("dave", 3, window))).isEqualTo(1);
    Thread.sleep(1200);
    assertThat(await(store.countLoginAttempt("carol", 3, window))).isEqualTo(2);
    // the third attempt reaches the lock count: its window starts now, not at the first attempt
    assertThat(await(store.countLoginAttempt("carol", 3, window))).isEqualTo(3);
    Thread.sleep(1200);
    assertThat(await(store.countLoginAttempt("carol", 3, window))).as("still locked past the first window")
        .isEqualTo(4);
    assertThat(await(store.countLoginAttempt("dave", 3, window))).as("dave's first window has passed")
        .isEqualTo(1);
    Thread.sleep(2300);
    assertThat(await(store.countLoginAttempt("carol", 3, window))).as("the lock's window has passed").isEqualTo(1);
  }

  @Test
  void perClientCountsAreKeptPerKeyForAWindowAndCanBeTakenBack() throws InterruptedException {
    java.time.Duration window = java.time.Duration.ofMillis(1500);
    List<Future<Long>> counts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      counts.add(store.countInWindow("starts:203.0.113.7", window));
    }
    assertThat(awaitAll(counts)).as("concurrent events are each counted once")
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 20).mapToObj(i -> (long) i).toList());
    assertThat(await(store.countInWindow("starts:203.0.113.8", window))).as("another client").isEqualTo(1);
    await(store.uncount("starts:203.0.113.7"));
    assertThat(await(store.countInWindow("starts:203.0.113.7", window))).as("one taken back").isEqualTo(20);
    await(store.uncount("never-counted"));
    assertThat(await(store.countInWindow("never-counted", window))).isEqualTo(1);
    Thread.sleep(1700);
    assertThat(await(store.countInWindow("starts:203.0.113.7", window))).as("forgotten after the window")
        .isEqualTo(1);
  }
}
