package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Queues and operators set up while the service runs: admins only, checked like the file, live at once. */
@ExtendWith(VertxExtension.class)
class AdminApiTest {

  private static JsonObject maps() {
    return new JsonObject().put("name", "maps").put("title", "Map Library")
        .put("backups", new JsonArray().add("general")).put("rolloverAfterSeconds", 30);
  }

  @Test
  void aQueueCreatedByAnAdminTakesChatsAtOnce(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String alice = node.login("alice"); // admin
    TestNode.Http created = node.post("/api/v1/admin/queues", maps(), alice);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().getString("title")).isEqualTo("Map Library");

    assertThat(node.get("/api/v1/queues").jsonArray().stream().map(q -> ((JsonObject) q).getString("name")))
        .contains("maps");
    FrameClient bob = FrameClient.operator(node, "bob");
    bob.available("general", true);
    node.awaitPresence("general", true);
    FrameClient guest = FrameClient.guest(node);
    String chatId = guest.start("maps", "Pat").getString("chatId");
    JsonObject offer = bob.offerFor(chatId);
    assertThat(offer.getString("queue")).isEqualTo("maps");
    assertThat(offer.getString("offeredOn")).isEqualTo("general");

    TestNode.Http changed = node.put("/api/v1/admin/queues/maps", maps().put("title", "Maps and GIS"), alice);
    assertThat(changed.status()).as("%s", changed).isEqualTo(200);
    assertThat(node.get("/api/v1/admin/queues/maps", alice).json().getString("title")).isEqualTo("Maps and GIS");
  }

  @Test
  void anInvalidChangeIsRefusedWithTheFieldNamedAndNothingApplied(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String alice = node.login("alice");
    JsonObject loop = new JsonObject().put("name", "general").put("title", "Ask a Librarian")
        .put("backups", new JsonArray().add("ill"));
    TestNode.Http refused = node.put("/api/v1/admin/queues/general", loop, alice);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().getString("message")).startsWith("backups: ").contains("ill → general → ill");
    assertThat(node.get("/api/v1/admin/queues/general", alice).json().getJsonArray("backups")).isEmpty();

    TestNode.Http unknownBackup = node.post("/api/v1/admin/queues", maps().put("backups", new JsonArray().add("genral")),
        alice);
    assertThat(unknownBackup.status()).isEqualTo(400);
    assertThat(unknownBackup.json().getString("message")).isEqualTo("backups[0]: unknown queue \"genral\"");
    TestNode.Http badHours = node.post("/api/v1/admin/queues",
        maps().put("hours", new JsonObject().put("timeZone", "Paris")), alice);
    assertThat(badHours.json().getString("message")).isEqualTo("hours.timeZone: unknown time zone \"Paris\"");
    TestNode.Http inUse = node.delete("/api/v1/admin/queues/general", alice);
    assertThat(inUse.status()).isEqualTo(400);
    assertThat(inUse.json().getString("message")).contains("ill rolls over to general");
    assertThat(node.get("/api/v1/queues").jsonArray()).hasSize(2);
  }

  @Test
  void onlyAdminsMayChangeTheSetUp(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    assertThat(node.get("/api/v1/admin/queues").status()).isEqualTo(401);
    String bob = node.login("bob");
    TestNode.Http asOperator = node.post("/api/v1/admin/queues", maps(), bob);
    assertThat(asOperator.status()).isEqualTo(403);
    assertThat(asOperator.json().getString("error")).isEqualTo("forbidden");
    assertThat(node.get("/api/v1/admin/operators", bob).status()).isEqualTo(403);
    assertThat(node.get("/api/v1/queues").jsonArray()).hasSize(2);
  }

  @Test
  void operatorsAreCreatedWithAPasswordThatIsNeverShown(Vertx vertx) {
    TestNode node = TestNode.start(vertx);
    String alice = node.login("alice");
    JsonObject erin = new JsonObject().put("id", "erin").put("name", "Erin").put("queues", new JsonArray().add("ill"))
        .put("maxChats", 2).put("password", "erin-secret-1");
    TestNode.Http created = node.post("/api/v1/admin/operators", erin, alice);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.body()).doesNotContain("erin-secret-1").doesNotContain("pbkdf2");
    assertThat(created.json().getBoolean("hasPassword")).isTrue();
    assertThat(node.loginRequest("erin", "erin-secret-1").status()).isEqualTo(200);

    // a change without a password keeps the old one
    TestNode.Http renamed = node.put("/api/v1/admin/operators/erin", erin.copy().put("name", "Erin B.")
        .put("password", null), alice);
    assertThat(renamed.status()).as("%s", renamed).isEqualTo(200);
    TestNode.Http login = node.loginRequest("erin", "erin-secret-1");
    assertThat(login.status()).isEqualTo(200);
    FrameClient console = FrameClient.operator(node, "erin", login.json().getString("token"));
    console.available("ill", true);
    node.awaitPresence("ill", true);

    String list = node.get("/api/v1/admin/operators", alice).body();
    assertThat(list).contains("\"erin\"").doesNotContain("pbkdf2").doesNotContain("passwordHash");
    TestNode.Http badQueue = node.put("/api/v1/admin/operators/erin", erin.copy().put("queues",
        new JsonArray().add("nope")), alice);
    assertThat(badQueue.json().getString("message")).isEqualTo("queues[0]: unknown queue \"nope\"");

    assertThat(node.delete("/api/v1/admin/operators/erin", alice).status()).isEqualTo(204);
    assertThat(node.loginRequest("erin", "erin-secret-1").status()).isEqualTo(401);
    assertThat(node.delete("/api/v1/admin/operators/alice", alice).json().getString("message"))
        .contains("last admin");
  }
}
