package switchboard.mail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Just enough SMTP on a real socket for a test: greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA up to the
 * lone ".", RSET, NOOP, QUIT. Every message taken is kept for the test to read.
 */
public final class FakeSmtpServer implements AutoCloseable {
  /** One message as the server received it. */
  public record Received(String mailFrom, List<String> rcptTo, String data) {
    /** The header block of the message, as sent. */
    public String headers() {
      int end = data.indexOf("\r\n\r\n");
      return end < 0 ? data : data.substring(0, end);
    }

    /** The body, quoted-printable decoded when the message says it is. */
    public String text() {
      int end = data.indexOf("\r\n\r\n");
      String body = end < 0 ? "" : data.substring(end + 4);
      return headers().toLowerCase().contains("content-transfer-encoding: quoted-printable") ? decodeQp(body) : body;
    }

    public String header(String name) {
      for (String line : headers().replace("\r\n ", " ").replace("\r\n\t", " ").split("\r\n")) {
        if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
          return line.substring(name.length() + 1).strip();
        }
      }
      return null;
    }
  }

  private final ServerSocket server;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final Thread acceptor;

  public FakeSmtpServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "fake-smtp");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The next message taken, waiting up to {@code seconds}. */
  public Received next(long seconds) throws InterruptedException {
    Received r = received.poll(seconds, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no mail reached the fake SMTP server within " + seconds + " s");
    }
    return r;
  }

  /** A message taken within {@code millis}, or null. */
  public Received poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread t = new Thread(() -> converse(socket), "fake-smtp-session");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void converse(Socket socket) {
    try (socket) {
      socket.setSoTimeout(15_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = socket.getOutputStream();
      reply(out, "220 fake.smtp.test ESMTP ready");
      String from = null;
      List<String> to = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
        switch (verb) {
          case "EHLO" -> reply(out, "250-fake.smtp.test\r\n250-8BITMIME\r\n250 SIZE 1000000");
          case "HELO" -> reply(out, "250 fake.smtp.test");
          case "MAIL" -> {
            from = address(line);
            to = new ArrayList<>();
            reply(out, "250 OK");
          }
          case "RCPT" -> {
            to.add(address(line));
            reply(out, "250 OK");
          }
          case "DATA" -> {
            reply(out, "354 end with <CRLF>.<CRLF>");
            StringBuilder data = new StringBuilder();
            String l;
            while ((l = in.readLine()) != null && !l.equals(".")) {
              data.append(l.startsWith("..") ? l.substring(1) : l).append("\r\n");
            }
            received.add(new Received(from, List.copyOf(to), data.toString()));
            reply(out, "250 OK queued");
          }
          case "RSET" -> {
            from = null;
            to = new ArrayList<>();
            reply(out, "250 OK");
          }
          case "NOOP" -> reply(out, "250 OK");
          case "QUIT" -> {
            reply(out, "221 bye");
            return;
          }
          default -> reply(out, "502 not implemented");
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String address(String line) {
    int lt = line.indexOf('<');
    int gt = line.indexOf('>', lt + 1);
    return lt >= 0 && gt > lt ? line.substring(lt + 1, gt) : line.substring(line.indexOf(':') + 1).strip();
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Quoted-printable (RFC 2045): soft line breaks "=" CRLF go, =XX are bytes of UTF-8 text. */
  static String decodeQp(String qp) {
    String joined = qp.replace("=\r\n", "");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < joined.length(); i++) {
      char c = joined.charAt(i);
      if (c == '=' && i + 2 < joined.length() && isHex(joined.charAt(i + 1)) && isHex(joined.charAt(i + 2))) {
        bytes.write(Integer.parseInt(joined.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }
}
