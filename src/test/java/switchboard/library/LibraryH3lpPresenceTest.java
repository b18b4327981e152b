package switchboard.library;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.w3c.dom.Element;
import switchboard.e2e.FrameClient;
import switchboard.e2e.TestNode;

/**
 * Issue 16: pages written for LibraryH3lp's presence API work unchanged. They fetch
 * {@code /presence/jid/{queue}/{host}/text|xml|js|image} with any query string (often a
 * cache-buster) and read "available"/"unavailable", {@code jabber_resources[0].show} or the
 * first {@code resource}'s {@code show}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LibraryH3lpPresenceTest {
  private static final Pattern SCRIPT = Pattern.compile("^var jabber_resources = (\\[.*\\]);\\n$", Pattern.DOTALL);

  /** What the page reads from each format: the script's, the XML's and the text's "show", in that order. */
  private static List<String> shows(TestNode node, String queue) throws Exception {
    TestNode.Http js = node.get("/presence/jid/" + queue + "/chat.libraryh3lp.com/js?cb=jsonp123&_=1765000000");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/javascript"));
    Matcher m = SCRIPT.matcher(js.body());
    assertThat(m.matches()).as("a script setting jabber_resources: %s", js.body()).isTrue();
    JsonArray resources = new JsonArray(m.group(1));
    assertThat(resources).as("always one resource").hasSize(1);

    TestNode.Http xml = node.get("/presence/jid/" + queue + "/chat.libraryh3lp.com/xml");
    Element resource = (Element) DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.body().getBytes(StandardCharsets.UTF_8)))
        .getElementsByTagName("resource").item(0);

    TestNode.Http text = node.get("/presence/jid/" + queue + "/chat.libraryh3lp.com/text?" + System.nanoTime());
    assertThat(text.header("Access-Control-Allow-Origin")).contains("*");
    return List.of(resources.getJsonObject(0).getString("show"), resource.getAttribute("show"), text.body());
  }

  private static String text(TestNode node, String queue) {
    return node.get("/presence/jid/" + queue + "/x/text").body();
  }

  @Test
  void pagesWrittenForLibraryH3lpReadWhetherAQueueCanBeChattedWith(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx);
    assertThat(shows(node, "ill")).containsOnly("unavailable");
    assertThat(shows(node, "no-such-queue")).as("an unknown queue is offline, not an error").containsOnly("unavailable");

    // bob staffs general, ill's backup: a chat started on ill would be answered
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    TestNode.waitUntil(() -> text(node, "ill").equals("available"), Duration.ofSeconds(5), "ill to show available");
    assertThat(shows(node, "ill")).containsOnly("available");
    assertThat(shows(node, "general")).containsOnly("available");

    TestNode.Http image = node.get("/presence/jid/general/chat.libraryh3lp.com/image");
    assertThat(image.header("Content-Type")).contains("image/svg+xml");
    assertThat(image.body()).contains("<svg");
    assertThat(node.get("/presence/jid/general/chat.libraryh3lp.com/html").status()).isEqualTo(404);

    bob.available("general", false);
    TestNode.waitUntil(() -> text(node, "general").equals("unavailable"),
        Duration.ofSeconds(5), "general to show unavailable");
  }
}
