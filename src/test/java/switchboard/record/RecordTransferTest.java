package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import switchboard.config.RecordSettings;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;

/** A SQLite record exported as JSON lines and imported into PostgreSQL reads the same there (issue 15). */
@ExtendWith(VertxExtension.class)
class RecordTransferTest {
  @TempDir
  Path folder;

  @Test
  void aSqliteRecordMovesToPostgresAndAnImportTwiceAddsNothing(Vertx vertx) throws Exception {
    RecordSettings sqlite = new RecordSettings("jdbc:sqlite:" + folder.resolve("data/switchboard.db"), null, null);
    RecordStore from = RecordStoreContract.await(JdbcRecordStore.open(vertx, sqlite));
    Chat chat = RecordStoreContract.ended("moved", RecordStoreContract.T0);
    List<ChatMessage> messages = RecordStoreContract.messages(RecordStoreContract.T0, "Ünïcode question ✓", "answer");
    List<ChatEvent> timeline = List.of(new ChatEvent(RecordStoreContract.T0, ChatEvent.ASKED, "ill", null));
    RecordStoreContract.await(from.replaceDirectory(0, RecordStoreContract.directory(3, "ILL")));
    RecordStoreContract.await(from.recordChat(chat, messages, timeline));
    RecordStoreContract.await(from.putCannedResponse(new CannedResponse("c1", null, "alice", "hi", "Hello!")));
    RecordStoreContract.await(from.addOfflineMessage(RecordStoreContract.offline("o1", RecordStoreContract.T0)));
    RecordStoreContract.await(from.markOfflineMessageDone("o1", "alice", RecordStoreContract.T0.plusSeconds(9)));
    RecordStoreContract.await(from.audit(new AuditEntry(RecordStoreContract.T0, "alice", "queue.updated", "ill", "fields: title")));
    // a chat still running when the record is exported: its messages are a chunk (V6), not rows yet
    Chat running = RecordStoreContract.newChat("running", RecordStoreContract.T0);
    RecordStoreContract.await(from.recordChat(running, List.of(), List.of()));
    List<ChatMessage> inFlight = RecordStoreContract.messages(RecordStoreContract.T0, "still here?", "yes");
    RecordStoreContract.await(from.recordMessages(inFlight.stream()
        .map(m -> new RecordedMessage("running", m, "k" + m.seq())).toList()));
    RecordStoreContract.await(from.close());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long exported = RecordTransfer.export(sqlite, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String lines = bytes.toString(StandardCharsets.UTF_8);
    assertThat(exported).isEqualTo(lines.lines().count()).isEqualTo(11); // 1+1+1+1+2+2+2+1

    RecordSettings postgres = new RecordSettings(PostgresServer.newDatabase(), null, null);
    assertThat(RecordTransfer.importInto(postgres, new BufferedReader(new StringReader(lines)))).isEqualTo(11);
    assertThat(RecordTransfer.importInto(postgres, new BufferedReader(new StringReader(lines))))
        .as("a second import").isZero();

    RecordStore to = RecordStoreContract.await(JdbcRecordStore.open(vertx, postgres));
    try {
      assertThat(RecordStoreContract.await(to.directory()).version()).isEqualTo(3);
      assertThat(RecordStoreContract.await(to.recordedChat("moved"))).isEqualTo(chat);
      assertThat(RecordStoreContract.await(to.transcript("moved"))).isEqualTo(messages);
      assertThat(RecordStoreContract.await(to.timeline("moved"))).isEqualTo(timeline);
      assertThat(RecordStoreContract.await(to.cannedResponses())).hasSize(1);
      assertThat(RecordStoreContract.await(to.transcript("running"))).as("a running chat's messages move too")
          .isEqualTo(inFlight);
      // the archive's word index is built again on the way in
      String word = ArchiveQuery.wordsOf(messages.get(0).text()).get(0);
      assertThat(RecordStoreContract.await(to.searchArchive(new ArchiveQuery(RecordStoreContract.T0.minusSeconds(1),
          RecordStoreContract.T0.plusSeconds(3600), null, null, null, null, List.of(word), 50, 0))).chats())
          .extracting(switchboard.stats.ChatFigures::id).containsExactly("moved");
      assertThat(RecordStoreContract.await(to.offlineMessages()).get(0).doneBy()).isEqualTo("alice");
      assertThat(RecordStoreContract.await(to.auditLog(RecordStoreContract.T0, RecordStoreContract.T0.plusSeconds(1))))
          .hasSize(1);
    } finally {
      RecordStoreContract.await(to.close());
    }
  }
}
