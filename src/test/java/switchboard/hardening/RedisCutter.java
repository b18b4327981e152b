package switchboard.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a redis-server that a test can cut: {@link #cut()} resets every open
 * connection at once (with whatever command or reply was on the wire), and {@link #refuse}
 * turns new connections away for a while, as a network fault between nodes and Redis would.
 * Nodes are given {@link #url()} instead of the server's.
 */
public final class RedisCutter implements AutoCloseable {
  private final int upstreamPort;
  private final ServerSocket listener;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean refusing;
  private volatile boolean closed;

  public RedisCutter(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "redis-cutter-accept");
    accept.setDaemon(true);
    accept.start();
  }

  public String url() {
    return "redis://127.0.0.1:" + listener.getLocalPort();
  }

  /** Resets every connection through the proxy now; new ones are let through at once. */
  public void cut() {
    for (Socket s : open) {
      reset(s);
    }
    open.clear();
  }

  /** While true, every connection is reset and new ones are reset as they come. */
  public void refuse(boolean refuse) {
    refusing = refuse;
    if (refuse) {
      cut();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      if (refusing) {
        reset(client);
        continue;
      }
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        open.add(client);
        open.add(server);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        reset(client); // Redis itself is down: the node sees a refused connection
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // cut, reset or closed: the other direction is closed below
      } finally {
        reset(from);
        reset(to);
        open.remove(from);
        open.remove(to);
      }
    }, "redis-cutter-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0); // RST, not FIN: the peer sees the connection torn, mid-command
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    cut();
  }
}
