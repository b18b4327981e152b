package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;

/** The contract for a record apart from the state store, plus how it takes a chat in batches. */
public abstract class JdbcRecordStoreContract extends RecordStoreContract {

  @Override
  protected void given(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    await(record.recordChat(chat, messages, timeline));
  }

  @Test
  void aRunningChatIsRecordedInBatchesAndEachMessageOnce() {
    Chat running = newChat("batched", T0).edit().state(ChatState.active).operator("alice", "Alice")
        .answeredQueue("ill").acceptedAt(T0.plusSeconds(3)).build();
    List<ChatMessage> all = messages(T0, "one", "two", "three", "four", "five");
    await(record.recordChat(running, all.subList(0, 3), List.of(new ChatEvent(T0, ChatEvent.ASKED, "ill", null))));
    // the next batch repeats a message whose write was not known to have landed
    Chat ended = running.edit().state(ChatState.closed).ended(T0.plusSeconds(90), "guest").build();
    List<ChatEvent> timeline = List.of(new ChatEvent(T0, ChatEvent.ASKED, "ill", null),
        new ChatEvent(T0.plusSeconds(90), "closed", null, null));
    await(record.recordChat(ended, all.subList(2, 5), timeline));

    assertThat(await(record.transcript("batched"))).isEqualTo(all);
    assertThat(await(record.recordedChat("batched")).state()).isEqualTo(ChatState.closed);
    assertThat(await(record.timeline("batched"))).isEqualTo(timeline);
    assertThat(await(record.chatsCreatedBetween(T0, T0.plusSeconds(1)))).hasSize(1);
  }
}
