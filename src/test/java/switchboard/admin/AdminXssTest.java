package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;
import switchboard.hardening.Xss;

/**
 * Hostile strings in every field the admin page shows: queue titles, skin titles, greetings and
 * colours, backups and the rollover-chain preview, office hours, operator names, the signed-in
 * admin's name, the "admins only" page, error messages that quote what was typed, the stats tables
 * (filled by real chats through the guest and operator sockets) and the CSV link. Each shows as
 * the text it is: nothing becomes an element, an event handler or a {@code javascript:} link, and
 * {@code window.__xss} (which every string would set if it ran) stays undefined.
 */
class AdminXssTest extends AdminTestBase {
  static final String QUEUE_A_TITLE = Xss.IMG + " " + Xss.TEMPLATE;
  static final String QUEUE_B_TITLE = Xss.JS_URL + " " + Xss.BIDI;
  static final String QUEUE_C_TITLE = Xss.longText(1500);
  static final String SKIN_TITLE = Xss.SCRIPT;
  static final String SKIN_GREETING = Xss.longText(600);
  static final String ALICE_NAME = Xss.SCRIPT + " " + Xss.BIDI;
  static final String ERIN_NAME = Xss.IMG + " " + Xss.TEMPLATE;
  static final String FRANK_NAME = Xss.JS_URL + Xss.SCRIPT;

  /** Queues xss-a (→ no backups), xss-b (→ xss-a), xss-c (office hours), operators erin and frank, alice renamed. */
  private String hostileSetUp() {
    startNode();
    String admin = node.login("alice");
    created(node.post("/api/v1/admin/queues", new JsonObject().put("name", "xss-a").put("title", QUEUE_A_TITLE)
        .put("skin", new JsonObject().put("title", SKIN_TITLE).put("greeting", SKIN_GREETING)
            .put("color", "red;background:url(javascript:window.__xss=1)").put("textColor", Xss.IMG)), admin));
    created(node.post("/api/v1/admin/queues", new JsonObject().put("name", "xss-b").put("title", QUEUE_B_TITLE)
        .put("backups", new JsonArray().add("xss-a")), admin));
    created(node.post("/api/v1/admin/queues", new JsonObject().put("name", "xss-c").put("title", QUEUE_C_TITLE)
        .put("hours", new JsonObject().put("timeZone", "Europe/Paris")
            .put("weekly", new JsonObject().put("mon", new JsonArray().add("09:00-17:00")))
            .put("closed", new JsonArray().add("2026-12-25"))), admin));
    created(node.post("/api/v1/admin/operators", new JsonObject().put("id", "erin").put("name", ERIN_NAME)
        .put("queues", new JsonArray().add("xss-a")).put("password", TestNode.PASSWORD), admin));
    created(node.post("/api/v1/admin/operators", new JsonObject().put("id", "frank").put("name", FRANK_NAME)
        .put("queues", new JsonArray().add("xss-b")).put("password", TestNode.PASSWORD), admin));
    TestNode.Http renamed = node.put("/api/v1/admin/operators/alice", new JsonObject().put("id", "alice")
        .put("name", ALICE_NAME).put("queues", new JsonArray().add("ill").add("general").add("xss-a"))
        .put("maxChats", 5).put("role", "admin"), admin);
    assertThat(renamed.status()).as("renaming alice: %s", renamed).isEqualTo(200);
    return admin;
  }

  private static void created(TestNode.Http r) {
    assertThat(r.status()).as("%s", r).isEqualTo(201);
  }

  @Test
  void queuesOperatorsFormsAndErrorsShowHostileTextAsText() {
    hostileSetUp();
    signInAsAdmin();
    assertShows(hook("admin-name"), ALICE_NAME);

    // the queue table: titles, the look's title, the rollover chain
    assertShows(queueRow("xss-a"), QUEUE_A_TITLE);
    assertShows(queueRow("xss-a"), SKIN_TITLE);
    assertShows(queueRow("xss-b"), QUEUE_B_TITLE);
    assertShows(queueRow("xss-b").findElement(By.cssSelector("[data-sb=queue-chain-cell]")), "xss-b → xss-a");
    assertShows(queueRow("xss-c"), QUEUE_C_TITLE);
    assertShows(queueRow("xss-c"), "Europe/Paris");
    assertNothingInjected("the queue table");

    // editing xss-a: every field holds the text, the preview shows it
    click(hook(queueRow("xss-a"), "queue-edit"));
    hook("queue-form");
    assertThat(Xss.value(driver, hook("queue-title"))).isEqualTo(QUEUE_A_TITLE);
    assertThat(Xss.value(driver, hook("queue-skin-title"))).isEqualTo(SKIN_TITLE);
    assertThat(Xss.value(driver, hook("queue-skin-greeting"))).isEqualTo(SKIN_GREETING);
    assertShows(hook("skin-preview-title"), SKIN_TITLE);
    assertShows(hook("skin-preview-greeting"), SKIN_GREETING);
    assertNothingInjected("the form of xss-a");

    // editing xss-b: its backup is listed with its title, the other queues are offered by title
    click(hook("queue-cancel"));
    click(hook(queueRow("xss-b"), "queue-edit"));
    WebElement backup = visible(By.cssSelector("[data-sb=backup][data-queue=xss-a]"));
    assertShows(backup, QUEUE_A_TITLE);
    assertShows(hook("queue-chain"), "xss-b → xss-a");
    assertThat(optionTexts("queue-backup-select")).contains("xss-c — " + QUEUE_C_TITLE);
    assertNothingInjected("the form of xss-b");

    // a new queue: what is typed shows in the chain preview and the widget preview, and the server's
    // refusal quotes it as text
    click(hook("queue-cancel"));
    click(hook("queue-add"));
    type(hook("queue-name"), Xss.IMG);
    assertShows(hook("queue-chain"), Xss.IMG);
    type(hook("queue-title"), Xss.SCRIPT);
    click(hook("queue-skin-enabled"));
    assertShows(hook("skin-preview-title"), Xss.SCRIPT);
    type(hook("queue-skin-greeting"), Xss.TEMPLATE);
    assertShows(hook("skin-preview-greeting"), Xss.TEMPLATE);
    click(hook("queue-save"));
    assertShows(error("queue-form"), Xss.IMG);
    assertNothingInjected("a refused queue name");
    // with a valid name, a hostile time zone is quoted the same way
    type(hook("queue-name"), "xss-d");
    click(hook("queue-hours-enabled"));
    type(hook("queue-timezone"), Xss.SCRIPT);
    click(hook("queue-save"));
    until(d -> Xss.text(driver, error("queue-form")).contains("time zone") ? true : null,
        "the time-zone error (shows " + error("queue-form").getText() + ")");
    assertShows(error("queue-form"), Xss.SCRIPT);
    assertNothingInjected("a refused time zone");
    click(hook("queue-cancel"));

    // operators: names in the table and the form, queue titles on the checkboxes
    openSection("operators");
    assertShows(operatorRow("erin"), ERIN_NAME);
    assertShows(operatorRow("frank"), FRANK_NAME);
    assertShows(operatorRow("alice"), ALICE_NAME);
    click(hook(operatorRow("erin"), "operator-edit"));
    hook("operator-form");
    assertThat(Xss.value(driver, hook("operator-name"))).isEqualTo(ERIN_NAME);
    WebElement box = visible(By.cssSelector("[data-sb=operator-queue][data-queue=xss-a]"));
    assertShows(box.findElement(By.xpath("..")), QUEUE_A_TITLE + " (xss-a)");
    assertNothingInjected("the form of erin");
    click(hook("operator-cancel"));
    // a hostile username typed for a new operator comes back quoted in the refusal
    click(hook("operator-add"));
    type(hook("operator-id"), Xss.IMG);
    type(hook("operator-name"), Xss.SCRIPT);
    click(hook("operator-save"));
    assertShows(error("operator-form"), Xss.IMG);
    assertNothingInjected("a refused username");
  }

  @Test
  void statsFromRealChatsAndTheCsvLinkShowHostileNamesAsText() throws Exception {
    String admin = hostileSetUp();
    // two chats on xss-a, answered by erin, from guests with hostile names and pages
    FrameClient erin = FrameClient.operator(node, "erin", node.login("erin"));
    clients.add(erin);
    erin.available("xss-a", true);
    node.awaitPresence("xss-a", true);
    for (String guestName : List.of(Xss.IMG, Xss.SCRIPT)) {
      FrameClient guest = guest();
      guest.send(new JsonObject().put("type", "start").put("queue", "xss-a").put("name", guestName)
          .put("email", "pat@example.org").put("page", Xss.JS_URL));
      String chatId = guest.next("started").getString("chatId");
      erin.offerFor(chatId);
      erin.accept(chatId);
      guest.say(Xss.ALL);
      erin.say(chatId, Xss.TEMPLATE);
      erin.send(new JsonObject().put("type", "close").put("chatId", chatId));
      guest.next("closed");
    }
    TestNode.waitUntil(() -> node.get("/api/v1/stats", admin).json().getJsonArray("byOperator").stream()
            .anyMatch(r -> "erin".equals(((JsonObject) r).getString("operator"))
                && ((JsonObject) r).getInteger("answered", 0) == 2),
        Duration.ofSeconds(10), "the stats API to count erin's two chats");

    signInAsAdmin();
    openSection("stats");
    WebElement erinRow = visible(By.cssSelector("[data-sb=stats-by-operator] [data-sb=stats-row][data-operator=erin]"));
    assertShows(erinRow, ERIN_NAME);
    assertThat(Xss.text(driver, erinRow.findElement(By.cssSelector("[data-metric=answered]")))).isEqualTo("2");
    WebElement queueRow = visible(By.cssSelector("[data-sb=stats-by-recorded] [data-sb=stats-row][data-queue=xss-a]"));
    assertShows(queueRow, QUEUE_A_TITLE);
    assertShows(visible(By.cssSelector("[data-sb=stats-by-answered] [data-sb=stats-row][data-queue=xss-a]")),
        QUEUE_A_TITLE);
    assertThat(optionTexts("stats-queue")).contains("xss-a — " + QUEUE_A_TITLE, "xss-b — " + QUEUE_B_TITLE);
    assertNothingInjected("the stats");

    // the CSV link is built from the filters, a hostile time zone included, and stays a link to the CSV
    type(hook("stats-tz"), Xss.SCRIPT);
    click(hook("stats-submit"));
    assertShows(error("stats"), "tz:");
    @SuppressWarnings("unchecked")
    List<String> link = (List<String>) js("const u = new URL(arguments[0].href);"
        + " return [u.origin, u.pathname, u.searchParams.get('tz'), u.searchParams.get('token') ? 'token' : '']",
        hook("stats-csv"));
    assertThat(link).containsExactly(node.uri("").toString().replaceAll("/$", ""), "/api/v1/stats.csv",
        Xss.SCRIPT, "token");
    assertNothingInjected("a refused time zone in the stats");
    // the file it downloads is served as CSV, not as a page a browser would run
    type(hook("stats-tz"), "UTC");
    String href = hook("stats-csv").getAttribute("href");
    HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(href))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    assertThat(csv.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(csv.body()).contains(Xss.IMG);

    // an operator with a hostile name who opens the admin page sees "admins only" with the name as text
    click(hook("admin-logout"));
    hook("admin-login");
    signIn("frank");
    assertShows(hook("admin-denied-text"), FRANK_NAME);
    assertNothingInjected("the admins-only page");
  }

  // ---------------------------------------------------------------- helpers

  /** Clicks as a person would after scrolling the thing to the middle (clear of the sticky top bar). */
  private void click(WebElement element) {
    js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element);
    element.click();
  }

  /** Shown to a person, and holding {@code expected} as text. */
  private void assertShows(WebElement element, String expected) {
    assertThat(element.isDisplayed()).as("%s is shown", element).isTrue();
    String text = Xss.text(driver, element);
    assertThat(text).as("the text shown").contains(expected);
  }

  private void assertNothingInjected(String where) {
    assertThat(Xss.injections(driver)).as("markup or script made from text on %s", where).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private List<String> optionTexts(String selectHook) {
    return (List<String>) js("return [...document.querySelector('[data-sb=\"' + arguments[0] + '\"]').options]"
        + ".map(o => o.textContent)", selectHook);
  }
}
