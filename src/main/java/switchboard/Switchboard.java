package switchboard;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.LoginThrottle;
import switchboard.auth.OperatorAuth;
import switchboard.bus.EventRelay;
import switchboard.bus.LocalCodec;
import switchboard.bus.LocalEventRelay;
import switchboard.config.AppConfig;
import switchboard.domain.Directory;
import switchboard.http.HttpVerticle;
import switchboard.presence.PresenceVerticle;
import switchboard.routing.RoutingVerticle;
import switchboard.store.InMemoryStateStore;
import switchboard.store.StateStore;

/** One running Switchboard node: its verticles deployed on a Vert.x instance. */
public final class Switchboard {
  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
  private final Vertx vertx;
  private final HttpVerticle http;
  private final List<String> deployments;
  private final String nodeId;

  private Switchboard(Vertx vertx, HttpVerticle http, List<String> deployments, String nodeId) {
    this.vertx = vertx;
    this.http = http;
    this.deployments = deployments;
    this.nodeId = nodeId;
  }

  /** Deploys every verticle of a node; port 0 in the config picks a free port. */
  public static Future<Switchboard> start(Vertx vertx, AppConfig config) {
    LocalCodec.registerAll(vertx.eventBus());
    Clock clock = Clock.systemUTC();
    Directory directory = new Directory(config);
    StateStore store = new InMemoryStateStore();
    EventRelay relay = new LocalEventRelay(vertx.eventBus());
    OperatorAuth auth = new OperatorAuth(vertx, directory, store, new LoginThrottle(), clock);
    HttpVerticle http = new HttpVerticle(config, directory, store, auth);
    List<String> deployments = new ArrayList<>();
    return vertx.deployVerticle(new PresenceVerticle(directory, store, config.nodeId())).map(deployments::add)
        .compose(v -> vertx.deployVerticle(new RoutingVerticle(directory, store, relay, config.chats(), clock)))
        .map(deployments::add)
        .compose(v -> vertx.deployVerticle(http)).map(deployments::add)
        .map(v -> {
          log.info("node {} up with {} queues, {} operators, in-memory state", config.nodeId(),
              config.queues().size(), config.operators().size());
          return new Switchboard(vertx, http, deployments, config.nodeId());
        });
  }

  /** The HTTP port actually bound. */
  public int port() {
    return http.actualPort();
  }

  public String nodeId() {
    return nodeId;
  }

  /** Undeploys this node's verticles (the Vert.x instance stays up). */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain;
  }
}
