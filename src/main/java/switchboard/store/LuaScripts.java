package switchboard.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Lua scripts of the Redis store (resources {@code /redis/NAME.lua}), each run with
 * EVALSHA. Redis forgets its script cache when it restarts (or on SCRIPT FLUSH); a
 * {@code NOSCRIPT} answer means the script did not run, so it is then sent once more with
 * EVAL, which runs it and caches it again for the next EVALSHA.
 */
final class LuaScripts {
  private record Script(String name, String source, String sha) {}

  private final Map<String, Script> scripts = new HashMap<>();
  private final Function<Request, Future<Response>> send;

  /** @param send how to send one command (the store's pooled client, with its timeout) */
  LuaScripts(Function<Request, Future<Response>> send, String... names) {
    this.send = send;
    for (String name : names) {
      String source = resource(name);
      scripts.put(name, new Script(name, source, sha1(source)));
    }
  }

  /** SCRIPT LOAD of every script; fails when Redis does not answer or a script does not compile. */
  Future<Void> loadAll() {
    List<Future<Response>> loads = new ArrayList<>();
    for (Script s : scripts.values()) {
      loads.add(send.apply(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source()))
          .compose(r -> r != null && s.sha().equals(r.toString())
              ? Future.succeededFuture(r)
              : Future.failedFuture("SCRIPT LOAD of " + s.name() + " answered " + r + ", expected " + s.sha())));
    }
    return Future.all(loads).mapEmpty();
  }

  /** Runs a script: EVALSHA, or EVAL once when Redis answers NOSCRIPT. */
  Future<Response> run(String name, List<String> keys, List<String> args) {
    Script s = scripts.get(name);
    if (s == null) {
      return Future.failedFuture(new IllegalArgumentException("no script " + name));
    }
    return send.apply(request(Command.EVALSHA, s.sha(), keys, args)).recover(err -> {
      if (isNoScript(err)) {
        return send.apply(request(Command.EVAL, s.source(), keys, args));
      }
      return Future.failedFuture(err);
    });
  }

  static boolean isNoScript(Throwable err) {
    String m = err.getMessage();
    return m != null && m.startsWith("NOSCRIPT");
  }

  private static Request request(Command cmd, String scriptOrSha, List<String> keys, List<String> args) {
    Request r = Request.cmd(cmd).arg(scriptOrSha).arg(keys.size());
    for (String k : keys) {
      r.arg(k);
    }
    for (String a : args) {
      r.arg(a);
    }
    return r;
  }

  private static String resource(String name) {
    String path = "/redis/" + name + ".lua";
    try (InputStream in = LuaScripts.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  static String sha1(String source) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(md.digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
