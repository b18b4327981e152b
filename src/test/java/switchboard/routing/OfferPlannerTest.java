package switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import switchboard.domain.OperatorConfig;
import switchboard.domain.OperatorConfig.Role;
import switchboard.domain.QueueConfig;
import switchboard.domain.Chat;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.domain.Guest;

/** Simple rollover (DESIGN §2) decided without I/O: chain order, waiting, widening, capacity. */
class OfferPlannerTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:02:11Z");

  private final Directory directory = new Directory(
      List.of(queue("ill", "general"), queue("general", "overnight"), queue("overnight")),
      List.of(op("carol", 2, "ill"), op("dave", 1, "general"), op("olga", 5, "overnight")), List.of());
  private final OfferPlanner planner = new OfferPlanner(directory);

  private static QueueConfig queue(String name, String... backups) {
    return new QueueConfig(name, name, List.of(backups), 75, null, null, null, null, false, null);
  }

  private static OperatorConfig op(String id, int maxChats, String... queues) {
    return new OperatorConfig(id, id, List.of(queues), maxChats, Role.operator, null);
  }

  private Availability available(Map<String, Set<String>> chosen, Map<String, Integer> held) {
    return new Availability(directory, chosen, held, T0);
  }

  private static Chat newChat() {
    return Chat.newChat("c1", new Guest("Pat", null, null), "hash", "ill", T0);
  }

  @Test
  void offersOnTheFirstAvailableQueueOfTheChainOnly() {
    var av = available(Map.of("carol", Set.of("ill"), "dave", Set.of("general")), Map.of());
    var plan = planner.plan(newChat(), av, T0);
    assertThat(plan.chat().state()).isEqualTo(ChatState.offered);
    assertThat(plan.chat().offeredQueues()).containsExactly("ill");
    assertThat(plan.chat().offeredTo()).containsExactly("carol");
    assertThat(plan.rolloverDueAt()).isEqualTo(T0.plusSeconds(75));
  }

  @Test
  void skipsUnavailableQueuesAndWaitsWhenNoneIsAvailable() {
    var onlyDave = available(Map.of("dave", Set.of("general")), Map.of());
    assertThat(planner.plan(newChat(), onlyDave, T0).chat().offeredQueues()).containsExactly("general");

    var nobody = available(Map.of("carol", Set.of()), Map.of());
    var plan = planner.plan(newChat(), nobody, T0);
    assertThat(plan.chat().state()).isEqualTo(ChatState.waiting);
    assertThat(plan.chat().offeredTo()).isEmpty();
    assertThat(plan.rolloverDueAt()).isNull();
  }

  @Test
  void wideningAddsTheNextAvailableQueueAndKeepsEarlierOperators() {
    var av = available(Map.of("carol", Set.of("ill"), "olga", Set.of("overnight")), Map.of());
    Chat offered = planner.plan(newChat(), av, T0).chat();
    var widened = planner.widen(offered, av, T0.plusSeconds(75));
    // general has nobody: the offer skips it and widens to overnight
    assertThat(widened.chat().offeredQueues()).containsExactly("ill", "overnight");
    assertThat(widened.chat().offeredTo()).containsExactlyInAnyOrder("carol", "olga");
    assertThat(widened.rolloverDueAt()).isEqualTo(T0.plusSeconds(150));
  }

  @Test
  void aRolloverFiringTwiceWidensOnceAndNamesTheCurrentDeadlineAgain() {
    var av = available(Map.of("carol", Set.of("ill"), "dave", Set.of("general"), "olga", Set.of("overnight")),
        Map.of());
    Chat offered = planner.plan(newChat(), av, T0).chat();
    assertThat(offered.rolloverDueAt()).isEqualTo(T0.plusSeconds(75));
    var widened = planner.widen(offered, av, T0.plusSeconds(75));
    assertThat(widened.chat().offeredQueues()).containsExactly("ill", "general");
    assertThat(widened.chat().rolloverDueAt()).isEqualTo(T0.plusSeconds(150));
    // the same timer fires again (its lease ran out before its completion was recorded)
    var again = planner.widen(widened.chat(), av, T0.plusSeconds(80));
    assertThat(again.chat()).isSameAs(widened.chat());
    assertThat(again.rolloverDueAt()).isEqualTo(T0.plusSeconds(150));
    // the next stage's deadline widens as before
    assertThat(planner.widen(widened.chat(), av, T0.plusSeconds(150)).chat().offeredQueues())
        .containsExactly("ill", "general", "overnight");
  }

  @Test
  void aDeadlineWithNothingFurtherWidensAsSoonAsSomeoneArrives() {
    var onlyCarol = available(Map.of("carol", Set.of("ill")), Map.of());
    Chat offered = planner.plan(newChat(), onlyCarol, T0).chat();
    Chat pending = planner.widen(offered, onlyCarol, T0.plusSeconds(75)).chat();
    assertThat(pending.widenPending()).isTrue();
    assertThat(pending.offeredTo()).containsExactly("carol");

    var daveArrives = available(Map.of("carol", Set.of("ill"), "dave", Set.of("general")), Map.of());
    Chat widened = planner.plan(pending, daveArrives, T0.plusSeconds(80)).chat();
    assertThat(widened.offeredQueues()).containsExactly("ill", "general");
    assertThat(widened.offeredTo()).containsExactlyInAnyOrder("carol", "dave");
    assertThat(widened.widenPending()).isFalse();
  }

  @Test
  void anOperatorAtMaxChatsIsNotOffered() {
    var daveFull = available(Map.of("dave", Set.of("general")), Map.of("dave", 1));
    var plan = planner.plan(newChat(), daveFull, T0);
    assertThat(plan.chat().state()).isEqualTo(ChatState.waiting);
  }

  @Test
  void whenEveryoneItRangForLeavesItStartsAgainFromTheTop() {
    var onlyDave = available(Map.of("dave", Set.of("general")), Map.of());
    Chat offeredOnGeneral = planner.plan(newChat(), onlyDave, T0).chat();
    var onlyCarol = available(Map.of("carol", Set.of("ill")), Map.of());
    Chat replanned = planner.plan(offeredOnGeneral, onlyCarol, T0.plusSeconds(5)).chat();
    assertThat(replanned.offeredQueues()).containsExactly("ill");
    assertThat(replanned.offeredTo()).containsExactly("carol");
  }

  /**
   * Issue 14: presence re-asserted node by node after a store outage left, for a moment, nobody
   * for the chat to ring; the overdue rollover then started again on ill (5 s late in the soak run).
   */
  @Test
  void aChatWhoseOperatorsVanishAMomentKeepsAnOverdueRolloverAndWidensOnceTheyAreBack() {
    var both = available(Map.of("carol", Set.of("ill"), "dave", Set.of("general")), Map.of());
    var nobody = available(Map.of(), Map.of());
    var onlyCarol = available(Map.of("carol", Set.of("ill")), Map.of());
    Chat offered = planner.plan(newChat(), both, T0).chat();
    Chat waiting = planner.plan(offered, nobody, T0.plusSeconds(70)).chat();
    assertThat(waiting.state()).isEqualTo(ChatState.waiting);
    // its rollover fires while it waits: nothing to widen to yet
    assertThat(planner.widen(waiting, nobody, T0.plusSeconds(75)).chat()).isSameAs(waiting);

    Chat carolBack = planner.plan(waiting, onlyCarol, T0.plusSeconds(80)).chat();
    assertThat(carolBack.offeredQueues()).containsExactly("ill");
    assertThat(carolBack.widenPending()).as("ill's time is up: it widens as soon as general can take it").isTrue();
    var daveBack = planner.plan(carolBack, both, T0.plusSeconds(81));
    assertThat(daveBack.chat().offeredQueues()).containsExactly("ill", "general");
    assertThat(daveBack.chat().offeredTo()).containsExactlyInAnyOrder("carol", "dave");
    assertThat(daveBack.rolloverDueAt()).isEqualTo(T0.plusSeconds(81 + 75));

    // both back at once: it rings both queues at once
    assertThat(planner.plan(waiting, both, T0.plusSeconds(80)).chat().offeredQueues())
        .containsExactly("ill", "general");
  }

  /**
   * Found by the chaos soak: after a long store outage a start re-planned the line before every node
   * had re-asserted its presence, so the chat waited; its overdue rollover then fired with everyone
   * back and did nothing, and the chat widened only at the next sweep, 1.8 s late.
   */
  @Test
  void anOverdueRolloverFiringWhileItsChatWaitsWidensAtOnceWhenOperatorsAreBack() {
    var both = available(Map.of("carol", Set.of("ill"), "dave", Set.of("general")), Map.of());
    Chat offered = planner.plan(newChat(), both, T0).chat();
    Chat waiting = planner.plan(offered, available(Map.of(), Map.of()), T0.plusSeconds(70)).chat();
    var fired = planner.widen(waiting, both, T0.plusSeconds(76));
    assertThat(fired.chat().state()).isEqualTo(ChatState.offered);
    assertThat(fired.chat().offeredQueues()).containsExactly("ill", "general");
    assertThat(fired.rolloverDueAt()).isEqualTo(T0.plusSeconds(76 + 75));
  }

  @Test
  void aChatWhoseOperatorsVanishAMomentKeepsADeadlineStillAhead() {
    var onlyCarol = available(Map.of("carol", Set.of("ill")), Map.of());
    Chat offered = planner.plan(newChat(), onlyCarol, T0).chat();
    Chat waiting = planner.plan(offered, available(Map.of(), Map.of()), T0.plusSeconds(10)).chat();
    var back = planner.plan(waiting, onlyCarol, T0.plusSeconds(20));
    assertThat(back.chat().offeredQueues()).containsExactly("ill");
    assertThat(back.chat().rolloverDueAt()).as("not restarted").isEqualTo(T0.plusSeconds(75));
    assertThat(back.rolloverDueAt()).isEqualTo(T0.plusSeconds(75));
  }

  @Test
  void aTransferredChatSkipsAQueueWhoseOnlyAvailableOperatorHandedItOn() {
    // carol (ill) transferred the chat back to ill; she is the only one available there, dave is on general
    var av = available(Map.of("carol", Set.of("ill"), "dave", Set.of("general")), Map.of());
    Chat handedOn = newChat().edit().transferredBy("carol").build();
    var plan = planner.plan(handedOn, av, T0);
    assertThat(plan.chat().state()).isEqualTo(ChatState.offered);
    assertThat(plan.chat().offeredQueues()).containsExactly("general");
    assertThat(plan.chat().offeredTo()).containsExactly("dave");
    assertThat(plan.rolloverDueAt()).isEqualTo(T0.plusSeconds(75));
    // nobody else anywhere: it waits (and rings as soon as someone else comes)
    var onlyCarol = available(Map.of("carol", Set.of("ill")), Map.of());
    assertThat(planner.plan(handedOn, onlyCarol, T0).chat().state()).isEqualTo(ChatState.waiting);
  }

  @Test
  void aPlanThatChangesNothingReturnsTheSameChat() {
    var av = available(Map.of("carol", Set.of("ill")), Map.of());
    Chat offered = planner.plan(newChat(), av, T0).chat();
    assertThat(planner.plan(offered, av, T0.plusSeconds(1)).chat()).isSameAs(offered);
  }
}
