package switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import switchboard.e2e.FrameClient;

/**
 * Issue 16: the widget's words come from message files, in the queue's language; a queue may
 * override its greeting and its offline text.
 */
class WidgetLanguageTest extends BrowserTestBase {

  @Test
  void aFrenchQueueSpeaksFrenchAndItsOwnOfflineText() {
    startNode(config -> {
      config.getJsonArray("queues").getJsonObject(0).put("language", "fr")
          .put("skin", new JsonObject().put("offlineText", "Laissez-nous un mot : réponse sous 24 h."));
      config.getJsonArray("queues").getJsonObject(1).put("language", "fr")
          .put("skin", new JsonObject().put("greeting", "Bienvenue au service Questions ?"));
    });
    openLibraryPage("ill");
    assertThat(hook("open").getText()).isEqualTo("Discutez avec nous");
    openWidget();
    waitForStatus("Personne n’est disponible");
    assertThat(hook("offline-intro").getText()).isEqualTo("Laissez-nous un mot : réponse sous 24 h.");
    assertThat(hook("offline-submit").getText()).isEqualTo("Envoyer la question");
    assertThat(js("return " + root + ".querySelector('.sb').lang")).isEqualTo("fr");

    FrameClient bob = operator("bob", "general");
    openLibraryPage("general");
    openWidget();
    waitForStatus("Quelqu’un peut vous répondre");
    assertThat(hook("greeting").getText()).isEqualTo("Bienvenue au service Questions ?");
    assertThat(hook("input").getAttribute("placeholder")).isEqualTo("Écrivez votre message…");
    say("Bonjour");
    String chatId = bob.next("offer").getString("chatId");
    bob.accept(chatId);
    waitForStatus("Bob a rejoint la discussion");
    assertThat(hook("end").getText()).isEqualTo("Terminer");
  }

  @Test
  void anEnglishQueueIsUnchanged() {
    startNode();
    openLibraryPage("ill");
    openWidget();
    waitForStatus("Nobody is available to chat right now");
    assertThat(hook("offline-intro").getText()).isEqualTo("Leave your question and we will answer by email.");
    assertThat(node.get("/api/v1/queues").jsonArray().getJsonObject(0).getString("language")).isEqualTo("en");
  }
}
