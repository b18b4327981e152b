package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/** Two chats through the service, then the stats section tells their story, and the CSV link downloads it. */
class AdminStatsTest extends AdminTestBase {

  @Test
  void statsShowAnAnsweredRolledOverChatAndAnAbandonedOne() throws Exception {
    startNode(b -> b.rolloverAfterSeconds(1));

    // 1. Sam asks on ill while nobody staffs anything, and leaves: abandoned
    FrameClient sam = guest();
    sam.start("ill", "Sam");
    sam.send(new JsonObject().put("type", "close"));

    // 2. Pat asks on ill; carol (ill) lets it ring, so after 1 s it widens to general, where bob answers
    FrameClient carol = operator("carol", "ill");
    FrameClient bob = operator("bob", "general");
    FrameClient pat = guest();
    String answered = pat.start("ill", "Pat").getString("chatId");
    carol.offerFor(answered);
    JsonObject widened = bob.offerFor(answered, Duration.ofSeconds(5));
    assertThat(widened.getString("offeredOn")).isEqualTo("general");
    bob.accept(answered);
    bob.say(answered, "Hello Pat, general desk here.");
    pat.say("Thanks!");
    bob.send(new JsonObject().put("type", "close").put("chatId", answered));
    pat.next("closed");

    // the stats API has both before the page is asked (recording may lag the chat a little)
    String token = node.login("alice");
    TestNode.Http last = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!countsBoth(last)) {
      assertThat(System.nanoTime() < deadline)
          .as("the stats API to count both chats; it last answered %s", last).isTrue();
      Thread.sleep(100);
      last = node.get("/api/v1/stats", token);
    }

    signInAsAdmin();
    openSection("stats");
    until(d -> "2".equals(total("asked")) ? true : null, "asked = 2 (shows " + safeTotal("asked") + ")");
    assertThat(total("answered")).isEqualTo("1");
    assertThat(total("abandoned")).isEqualTo("1");
    assertThat(total("missed")).isEqualTo("0");
    assertThat(total("rolledOver")).isEqualTo("1");

    WebElement recorded = hook("stats-by-recorded");
    assertThat(cell(recorded, "ill", "asked")).isEqualTo("2");
    assertThat(cell(recorded, "ill", "answered")).isEqualTo("1");
    assertThat(cell(recorded, "ill", "abandoned")).isEqualTo("1");
    WebElement byAnswering = hook("stats-by-answered");
    assertThat(byAnswering.findElements(By.cssSelector("[data-sb=stats-row][data-queue=general]")))
        .as("general answered the chat: %s", byAnswering.getText()).hasSize(1);
    assertThat(cell(byAnswering, "general", "answered")).isEqualTo("1");
    assertThat(hook("stats-by-operator").findElements(By.cssSelector("[data-sb=stats-row][data-operator=bob]")))
        .hasSize(1);
    assertThat(hook("stats-explain").getText()).contains("the queue the guest asked for");
    assertThat(driver.findElements(By.cssSelector("[data-sb=stats-bar][data-metric=asked]")))
        .as("a bar for today's asked chats").hasSize(1);
    assertThat(hook("stats-chart").findElement(By.cssSelector("[data-metric=asked]")).getAttribute("data-value"))
        .isEqualTo("2");

    // the CSV link carries the filters and the token, since a link cannot carry a header
    String href = hook("stats-csv").getAttribute("href");
    assertThat(href).contains("/api/v1/stats.csv?").contains("groupBy=day").contains("token=");
    HttpResponse<String> csv = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(href)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).as("CSV: %s", csv.body()).isEqualTo(200);
    List<String> lines = csv.body().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines.get(0)).as("header row").contains("asked").contains("answered");
    assertThat(lines.subList(1, lines.size()))
        .as("a row for ill in %s", csv.body())
        .anyMatch(l -> Arrays.stream(l.split(",")).map(f -> f.replace("\"", "").trim()).anyMatch("ill"::equals));

    // the queue filter and hourly view redraw in place
    choose(hook("stats-group"), "hour");
    until(d -> hook("stats-chart-title").getText().toLowerCase().contains("per hour") ? true : null, "the hourly chart");
    until(d -> hook("stats-result").getAttribute("data-loaded").contains("groupBy=hour") ? true : null, "hourly stats");
    assertThat(total("asked")).isEqualTo("2");
    screenshot("admin-stats-hourly");
    choose(hook("stats-group"), "day");
    until(d -> hook("stats-result").getAttribute("data-loaded").contains("groupBy=day") ? true : null, "daily stats");
  }

  private static boolean countsBoth(TestNode.Http r) {
    if (r == null || r.status() != 200) {
      return false;
    }
    JsonObject totals = r.json().getJsonObject("totals", new JsonObject());
    return totals.getInteger("asked", 0) == 2 && totals.getInteger("answered", 0) == 1
        && totals.getInteger("abandoned", 0) == 1;
  }

  private String total(String metric) {
    return visible(By.cssSelector("[data-sb=stats-total][data-metric=" + metric + "] [data-sb=stats-value]")).getText();
  }

  private String safeTotal(String metric) {
    List<WebElement> found = driver.findElements(
        By.cssSelector("[data-sb=stats-total][data-metric=" + metric + "] [data-sb=stats-value]"));
    return found.isEmpty() ? "nothing" : found.get(0).getText();
  }

  private static String cell(WebElement table, String queue, String metric) {
    return table.findElement(By.cssSelector("[data-sb=stats-row][data-queue=" + queue + "] [data-metric=" + metric + "]"))
        .getText();
  }
}
