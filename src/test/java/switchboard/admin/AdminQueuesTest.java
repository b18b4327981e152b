package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import switchboard.e2e.FrameClient;

/** Queues made and changed in the page take chats at once; bad changes are refused with the field named. */
class AdminQueuesTest extends AdminTestBase {

  @Test
  void aQueueCreatedInThePageTakesChatsAtOnce() {
    startNode();
    FrameClient bob = operator("bob", "general");
    signInAsAdmin();

    hook("queue-add").click();
    WebElement form = hook("queue-form");
    type(hook(form, "queue-name"), "maps");
    type(hook(form, "queue-title"), "Maps and GIS");
    // backups are an ordered list: add ill then general, put general first, drop ill
    choose(hook(form, "queue-backup-select"), "ill");
    hook(form, "queue-backup-add").click();
    choose(hook(form, "queue-backup-select"), "general");
    hook(form, "queue-backup-add").click();
    assertThat(backupsShown()).containsExactly("ill", "general");
    visible(By.cssSelector("[data-sb=backup][data-queue=general] [data-sb=backup-up]")).click();
    assertThat(backupsShown()).containsExactly("general", "ill");
    visible(By.cssSelector("[data-sb=backup][data-queue=ill] [data-sb=backup-remove]")).click();
    assertThat(backupsShown()).containsExactly("general");
    assertThat(hook(form, "queue-chain").getText()).isEqualTo("maps → general");
    type(hook(form, "queue-rollover"), "30");

    // a look of its own, previewed as it is chosen
    hook(form, "queue-skin-enabled").click();
    setValue(hook(form, "queue-skin-color"), "#7a1f5c");
    type(hook(form, "queue-skin-greeting"), "Ask us about maps.");
    until(d -> hook("skin-preview-header").getCssValue("background-color").matches("rgba?\\(122, 31, 92(, 1)?\\)")
        ? true : null, "the preview to take the colour (it shows "
        + driver.findElement(By.cssSelector("[data-sb=skin-preview-header]")).getCssValue("background-color") + ")");
    assertThat(hook("skin-preview-greeting").getText()).isEqualTo("Ask us about maps.");
    screenshot("admin-queue-form");

    hook(form, "queue-save").click();
    assertThat(queueRow("maps").getText()).contains("Maps and GIS").contains("maps → general").contains("30 s");
    assertThat(shown(By.cssSelector("[data-sb=queue-form]"))).as("the form closes once saved").isFalse();

    JsonObject saved = adminGet("/api/v1/admin/queues/maps");
    assertThat(saved.getJsonArray("backups")).isEqualTo(new JsonArray().add("general"));
    assertThat(saved.getInteger("rolloverAfterSeconds")).isEqualTo(30);
    assertThat(saved.getJsonObject("skin").getString("color")).isEqualTo("#7a1f5c");
    assertThat(saved.getJsonObject("skin").getString("greeting")).isEqualTo("Ask us about maps.");

    // the public list knows it, and a guest's chat on it is offered to bob on general, its backup
    assertThat(node.get("/api/v1/queues").body()).contains("\"maps\"");
    FrameClient guest = guest();
    String chatId = guest.start("maps", "Pat").getString("chatId");
    JsonObject offer = bob.offerFor(chatId);
    assertThat(offer.getString("queue")).isEqualTo("maps");
    assertThat(offer.getString("offeredOn")).isEqualTo("general");
    bob.accept(chatId);
  }

  @Test
  void aBackupLoopIsRefusedWithTheFieldNamedAndNothingChanges() {
    startNode();
    signInAsAdmin();

    queueRow("general").findElement(By.cssSelector("[data-sb=queue-edit]")).click();
    WebElement form = hook("queue-form");
    assertThat(hook(form, "queue-name").getAttribute("readonly")).as("a queue keeps its name").isNotNull();
    choose(hook(form, "queue-backup-select"), "ill");
    hook(form, "queue-backup-add").click();
    assertThat(hook(form, "queue-chain").getText()).as("the page warns before saving").contains("loops");
    hook(form, "queue-save").click();

    String message = error("queue-form").getText();
    assertThat(message).startsWith("Not saved.").contains("backups")
        .containsAnyOf("general → ill → general", "ill → general → ill");
    assertThat(form.findElement(By.cssSelector("[data-field=backups]")).getAttribute("class")).contains("invalid");
    assertThat(shown(By.cssSelector("[data-sb=queue-form]"))).as("the edit stays open to fix").isTrue();

    assertThat(adminGet("/api/v1/admin/queues/general").getJsonArray("backups")).isEmpty();
    assertThat(queueRow("general").findElement(By.cssSelector("[data-sb=queue-chain-cell]")).getText())
        .isEqualTo("general");

    // a typed field is marked too: a time zone the server does not know
    hook(form, "queue-cancel-bottom").click(); // the form is long: its top is under the sticky bar by now
    queueRow("ill").findElement(By.cssSelector("[data-sb=queue-edit]")).click();
    form = hook("queue-form");
    hook(form, "queue-hours-enabled").click();
    type(hook(form, "queue-timezone"), "Paris");
    hook(form, "queue-save").click();
    until(d -> error("queue-form").getText().contains("hours.timeZone") ? true : null, "the time zone error");
    assertThat(error("queue-form").getText()).contains("Paris");
    assertThat(hook(form, "queue-timezone").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(adminGet("/api/v1/admin/queues/ill").getValue("hours")).as("ill keeps no hours").isNull();
  }

  private List<String> backupsShown() {
    return driver.findElements(By.cssSelector("[data-sb=queue-form] [data-sb=backup]")).stream()
        .map(e -> e.getAttribute("data-queue")).toList();
  }
}
