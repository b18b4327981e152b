package switchboard.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import switchboard.auth.OperatorAuth;
import switchboard.domain.Chat;
import switchboard.domain.Directory;
import switchboard.domain.OperatorConfig;
import switchboard.store.StateStore;

/**
 * The supervisor view (issue 16): {@code GET /api/v1/admin/live}, every chat in flight on every
 * node (waiting, ringing or held) and who holds or is offered it, for admins.
 */
final class SupervisorRoutes {
  private final Directory directory;
  private final StateStore store;
  private final OperatorAuth auth;
  private final Clock clock;

  SupervisorRoutes(Directory directory, StateStore store, OperatorAuth auth, Clock clock) {
    this.directory = directory;
    this.store = store;
    this.auth = auth;
    this.clock = clock;
  }

  void mount(Router router) {
    router.get("/api/v1/admin/live").handler(rc -> AdminRoutes.requireAdmin(auth, rc)
        // the hot state holds chats in flight and those ended in the last minutes: a short read
        .compose(op -> store.chatsCreatedBetween(Instant.EPOCH, clock.instant().plusSeconds(1)))
        .map(chats -> {
          JsonArray live = new JsonArray();
          chats.stream().filter(c -> !c.state().isEnded())
              .sorted(Comparator.comparing(Chat::createdAt))
              .forEach(c -> live.add(json(c)));
          return new JsonObject().put("chats", live).put("at", clock.instant().toString());
        })
        .onSuccess(body -> Http.json(rc, 200, body))
        .onFailure(rc::fail));
  }

  private JsonObject json(Chat c) {
    JsonArray offeredTo = new JsonArray();
    c.offeredTo().stream().sorted().forEach(id -> offeredTo.add(new JsonObject().put("id", id).put("name", name(id))));
    return new JsonObject().put("id", c.id()).put("state", c.state().name()).put("queue", c.queue())
        .put("recordedQueue", c.recordedQueue()).put("answeredQueue", c.answeredQueue())
        .put("offeredQueues", new JsonArray(c.offeredQueues())).put("offeredTo", offeredTo)
        .put("operator", c.operatorId()).put("operatorName", c.operatorId() == null ? null : name(c.operatorId()))
        .put("guest", c.guest().name()).put("channel", c.guest().channel()).put("question", c.guest().question())
        .put("createdAt", c.createdAt().toString()).put("waitingSince", c.waitingSince().toString())
        .put("acceptedAt", c.acceptedAt() == null ? null : c.acceptedAt().toString());
  }

  private String name(String operatorId) {
    return directory.operator(operatorId).map(OperatorConfig::name).orElse(operatorId);
  }
}
